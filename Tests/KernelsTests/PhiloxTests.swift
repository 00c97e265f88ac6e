import Kernels
import XCTest

final class PhiloxTests: XCTestCase {
    /// Known-answer vectors of Philox4x32-10 from Random123's kat_vectors.
    func testKnownAnswers() {
        let cases: [((UInt32, UInt32, UInt32, UInt32), (UInt32, UInt32), [UInt32])] = [
            ((0, 0, 0, 0), (0, 0), [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
            ((.max, .max, .max, .max), (.max, .max), [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
            ((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
             [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
        ]
        for (counter, key, expected) in cases {
            let r = Philox4x32.block(counter: counter, key: key)
            XCTAssertEqual([r.0, r.1, r.2, r.3], expected)
        }
    }

    /// Numbers depend only on (seed, stream, step, t, purpose): the same call gives the same
    /// numbers, and changing any one coordinate changes them.
    func testNumbersAreAFunctionOfTheirCoordinates() {
        func draw(seed: UInt64 = 5, stream: UInt64 = 3, step: UInt32 = 10, t: UInt32 = 2, purpose: UInt32 = 0) -> [Float] {
            let b = FloatBuffer(count: 9)
            CounterRandom(seed: seed, stream: stream).fillNormal(b.pointer, count: 9, step: step, t: t, purpose: purpose)
            return b.array
        }
        let base = draw()
        XCTAssertEqual(base, draw())
        for other in [draw(seed: 6), draw(stream: 4), draw(step: 11), draw(t: 3), draw(purpose: 1)] {
            XCTAssertNotEqual(base, other)
        }
    }

    func testNormalAndUniformMoments() {
        let n = 200_000
        let b = FloatBuffer(count: n)
        let random = CounterRandom(seed: 42, stream: 0)
        random.fillNormal(b.pointer, count: n, step: 0, t: 0, purpose: 0)
        let mean = sum(b.pointer, count: n) / Double(n)
        let variance = sumOfSquares(b.pointer, count: n) / Double(n) - mean * mean
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        random.fillUniform(b.pointer, count: n, step: 1, t: 0, purpose: 0)
        XCTAssertTrue(b.array.allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertEqual(sum(b.pointer, count: n) / Double(n), 0.5, accuracy: 0.005)
    }
}
