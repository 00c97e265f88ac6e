import Kernels
import XCTest

/// The GEMM wrapper against a naive triple loop, for every transpose combination, with leading
/// dimensions wider than the block (how concatenated-input layers address a column block).
final class GemmTests: XCTestCase {
    func testAllTransposesAndColumnBlocksMatchNaiveLoops() {
        let random = CounterRandom(seed: 1, stream: 1)
        let (m, n, k) = (5, 7, 3)
        let (lda, ldb, ldc) = (k + 4, n + 2, n + 3)   // wide rows; the block is a column slice
        for transA in [false, true] {
            for transB in [false, true] {
                let aRows = transA ? k : m, aCols = transA ? m : k
                let bRows = transB ? n : k, bCols = transB ? k : n
                let a = FloatBuffer(count: aRows * max(lda, aCols)), b = FloatBuffer(count: bRows * max(ldb, bCols))
                let c = FloatBuffer(count: m * ldc)
                random.fillNormal(a.pointer, count: a.count, step: 0, t: 0, purpose: 0)
                random.fillNormal(b.pointer, count: b.count, step: 0, t: 1, purpose: 0)
                random.fillNormal(c.pointer, count: c.count, step: 0, t: 2, purpose: 0)
                let aLD = max(lda, aCols), bLD = max(ldb, bCols)
                var expected = c.array
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Float = 0
                        for p in 0..<k {
                            let av = transA ? a[p * aLD + i] : a[i * aLD + p]
                            let bv = transB ? b[j * bLD + p] : b[p * bLD + j]
                            s += av * bv
                        }
                        expected[i * ldc + j] = 0.5 * s + 2 * expected[i * ldc + j]
                    }
                }
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.pointer, lda: aLD,
                     b: b.pointer, ldb: bLD, beta: 2, c: c.pointer, ldc: ldc)
                for i in 0..<c.count {
                    XCTAssertEqual(c[i], expected[i], accuracy: 1e-5 * max(1, abs(expected[i])),
                                   "transA \(transA) transB \(transB) entry \(i)")
                }
            }
        }
    }

    func testEmptyInnerDimensionScalesC() {
        let c = FloatBuffer([1, 2, 3, 4])
        let dummy = FloatBuffer(count: 1)
        gemm(m: 2, n: 2, k: 0, a: dummy.pointer, lda: 1, b: dummy.pointer, ldb: 2, beta: 0.5, c: c.pointer, ldc: 2)
        XCTAssertEqual(c.array, [0.5, 1, 1.5, 2])
        gemm(m: 2, n: 2, k: 0, a: dummy.pointer, lda: 1, b: dummy.pointer, ldb: 2, beta: 0, c: c.pointer, ldc: 2)
        XCTAssertEqual(c.array, [0, 0, 0, 0])
    }

    func testBiasBroadcastAndColumnSums() {
        let bias = FloatBuffer([1, -2, 3])
        let c = FloatBuffer(count: 2 * 4)
        broadcastRows(bias.pointer, into: c.pointer, rows: 2, cols: 3, ldc: 4)
        XCTAssertEqual(c.array, [1, -2, 3, 0, 1, -2, 3, 0])
        let sums = FloatBuffer([10, 10, 10])
        addColumnSums(c.pointer, rows: 2, cols: 3, ldx: 4, into: sums.pointer)
        XCTAssertEqual(sums.array, [12, 6, 16])
    }
}
