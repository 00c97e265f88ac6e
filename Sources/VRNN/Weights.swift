import Kernels

/// The parameters as the forward pass reads them: the flat buffer, and optionally a copy in which
/// every weight matrix W [out, in] is stored transposed, W^T [in, out], at the same offset.
/// Products x · W^T then run as plain (NN) GEMMs, which OpenBLAS packs far faster than the
/// transposed-B form at the loop's small shapes; the [out, in] layout with PyTorch's names stays
/// the parameter contract. Without the copy (generation, one row at a time) the NT form is used.
public struct Weights {
    public let parameters: UnsafePointer<Float>
    public let transposed: UnsafePointer<Float>?

    public init(parameters: UnsafePointer<Float>, transposed: UnsafePointer<Float>? = nil) {
        self.parameters = parameters; self.transposed = transposed
    }

    /// c[m, n] += a[m, k] · W[:, column..<column + k]^T, where W [n, inputs] is at `offset`:
    /// a column block of a weight matrix (the whole of it when k = inputs).
    @inline(__always)
    func addProduct(_ a: UnsafePointer<Float>, lda: Int, m: Int, weight offset: Int, n: Int, inputs: Int, column: Int, k: Int,
                    into c: UnsafeMutablePointer<Float>, ldc: Int) {
        if let transposed {
            // W^T [inputs, n]: the block is rows column..<column + k.
            gemm(m: m, n: n, k: k, a: a, lda: lda, b: transposed + offset + column * n, ldb: n, beta: 1, c: c, ldc: ldc)
        } else {
            gemm(transB: true, m: m, n: n, k: k, a: a, lda: lda, b: parameters + offset + column, ldb: inputs, beta: 1, c: c, ldc: ldc)
        }
    }
}

extension ParameterTable {
    /// Writes every weight matrix of `parameters` transposed into `transposed` at its own offset
    /// (the embedding, read by rows, and the biases are not needed there and are left alone).
    public func transposeWeights(_ parameters: UnsafePointer<Float>, into transposed: UnsafeMutablePointer<Float>) {
        for entry in entries where entry.shape.count == 2 && entry.name != "embedding.weight" {
            let rows = entry.shape[0], cols = entry.shape[1]
            let source = parameters + entry.offset, target = transposed + entry.offset
            // Blocks of 16 x 16 keep both sides in cache.
            for i0 in stride(from: 0, to: rows, by: 16) {
                for j0 in stride(from: 0, to: cols, by: 16) {
                    for i in i0..<min(i0 + 16, rows) {
                        for j in j0..<min(j0 + 16, cols) { target[j * rows + i] = source[i * cols + j] }
                    }
                }
            }
        }
    }
}
