import XCTest
@testable import Kernels

/// Buffers of a huge page or more come from their own allocation (FloatBuffer.allocate): zeroed,
/// aligned for any vector load, and begun at staggered offsets, so that they do not all start in
/// one cache set.
final class FloatBufferTests: XCTestCase {
    func testLargeBuffersAreZeroedAlignedAndStaggered() {
        let floats = FloatBuffer.hugePage / 4 + 1000
        var starts = Set<Int>()
        for _ in 0..<4 {
            let buffer = FloatBuffer(count: floats)
            let address = Int(bitPattern: buffer.pointer)
            XCTAssertEqual(address % 64, 0, "a buffer starts on a cache line")
            starts.insert(address % (128 << 10))
            XCTAssertEqual(buffer[0], 0)
            XCTAssertEqual(buffer[floats - 1], 0)
            buffer[floats - 1] = 1   // the whole count is writable
            XCTAssertGreaterThanOrEqual(FloatBuffer.liveFloats, floats)
        }
        XCTAssertEqual(starts.count, 4, "four buffers in a row start at four offsets within the L2's span")
        let small = FloatBuffer(count: 10)
        XCTAssertEqual(small.array, [Float](repeating: 0, count: 10))
    }
}
