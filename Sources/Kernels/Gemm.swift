import CBLAS
import CKernels

/// Row-major single-precision matrix product over raw pointers:
///     C[m, n] = alpha * op(A) * op(B) + beta * C
/// where op(A) is [m, k] (A stored [k, m] when `transA`), op(B) is [k, n] (B stored [n, k] when
/// `transB`). Leading dimensions let a call address a column block of a wider matrix, which is
/// how the x-part and h-part of a concatenated-input layer are multiplied separately.
@inline(__always)
public func gemm(
    transA: Bool = false, transB: Bool = false,
    m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        scaleRows(c, rows: m, cols: n, stride: ldc, by: beta)
        return
    }
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

private func scaleRows(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int, by beta: Float) {
    for i in 0..<rows {
        let row = c + i * stride
        for j in 0..<cols { row[j] = beta == 0 ? 0 : row[j] * beta }
    }
}

/// Fills every row of C[rows, cols] (leading dimension `ldc`) with `bias[cols]`: the starting value
/// of a linear layer's output before `gemm(..., beta: 1)` adds the product.
@inline(__always)
public func broadcastRows(_ bias: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ldc: Int) {
    vk_broadcast_rows(bias, c, rows, cols, ldc)
}

/// out[j] += sum_i x[i, j] for x[rows, cols] with leading dimension `ldx`: the bias gradient.
@inline(__always)
public func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, ldx: Int, into out: UnsafeMutablePointer<Float>) {
    vk_add_column_sums(x, rows, cols, ldx, out)
}
