import Kernels

/// Text input takes one of V values, and phi_x, the encoder's x-block and the RNN's x-block
/// depend only on it. When a window has more rows than the vocabulary, they are computed for the
/// V tokens once and gathered per row; backward sums each row's gradient into its token's row
/// and runs the x-dependent products over V rows instead of T*B. Exact: it only regroups sums.
final class TokenTables {
    /// phi_x of every token: outputs [V, F] (row v from the embedding's row v), grads [V, F].
    let phiX: MLP.State
    /// [V, E0]: b_enc0 + phi_x(v) W_enc0[:, x block]^T, the x-part of the encoder's first layer.
    let encoderX: FloatBuffer
    /// [V, G]: b_ih + phi_x(v) W_ih[:, x block]^T, the x-part of the first RNN layer's gates.
    let rnnX: FloatBuffer
    /// [V, E0] and [V, G]: the sums over the rows of token v of d loss / d those pre-activations.
    let encoderGrad: FloatBuffer
    let rnnGrad: FloatBuffer

    init(model: VRNNModel) {
        let v = model.config.inputSize, e0 = model.encoder?.layers[0].outputs ?? 0
        phiX = MLP.State(model.phiX, rows: v)
        encoderX = FloatBuffer(count: v * e0)
        encoderGrad = FloatBuffer(count: v * e0)
        rnnX = FloatBuffer(count: v * model.rnn.gateWidth)
        rnnGrad = FloatBuffer(count: v * model.rnn.gateWidth)
    }
}

extension WindowWorkspace {
    /// Forward: the V-row tables (in place of phi_x, encoder and RNN x-block GEMMs over all T*B
    /// rows). The time loop gathers each step's rows from them (`gatherTokenRows`).
    func forwardTokenTables(_ p: Weights, _ tables: TokenTables) {
        let c = model.config, v = c.inputSize, fx = c.phiXWidth, tokensV = 0..<v
        model.phiX.forward([p.parameters + model.embedding!], p, tables.phiX, rows: tokensV)
        let phiXOut = UnsafePointer(tables.phiX.output)
        let layer0 = model.rnn.layers[0], g = model.rnn.gateWidth
        broadcastRows(p.parameters + layer0.biasIH, into: tables.rnnX.pointer, rows: v, cols: g, ldc: g)
        p.addProduct(phiXOut, lda: fx, m: v, weight: layer0.weightIH, n: g, inputs: layer0.inputs, column: 0, k: fx,
                     into: tables.rnnX.pointer, ldc: g)
        if let enc = model.encoder {
            let first = enc.layers[0], e0 = first.outputs
            broadcastRows(p.parameters + first.bias, into: tables.encoderX.pointer, rows: v, cols: e0, ldc: e0)
            p.addProduct(phiXOut, lda: fx, m: v, weight: first.weight, n: e0, inputs: first.inputs, column: 0, k: fx,
                         into: tables.encoderX.pointer, ldc: e0)
        }
    }

    /// The x-parts of step `rows`: the RNN's input gates and the encoder's first pre-activation
    /// start from their tokens' table rows. Gathered step by step, just before the loop adds to
    /// them, so they are written and read while in cache.
    func gatherTokenRows(_ tables: TokenTables, rows rs: Range<Int>) {
        gather(tables.rnnX.pointer, width: model.rnn.gateWidth, into: rnn.loopInputGates(0, rows: rs), rows: rs)
        if let enc = model.encoder, let encState = encoder {
            let e0 = enc.layers[0].outputs
            gather(tables.encoderX.pointer, width: e0, into: encState.outputs[0].pointer + rs.lowerBound * e0, rows: rs)
        }
    }

    /// The backward of `gatherTokenRows` for step `rows`: their gradients join their tokens'
    /// sums, while still in cache (the reverse time loop calls it once each row is final).
    func scatterTokenRows(_ tables: TokenTables, rows rs: Range<Int>) {
        scatterAdd(rnn.dInputGates[0].pointer, width: model.rnn.gateWidth, into: tables.rnnGrad.pointer, rows: rs)
        if let enc = model.encoder, let encState = encoder {
            scatterAdd(encState.grads[0].pointer, width: enc.layers[0].outputs, into: tables.encoderGrad.pointer, rows: rs)
        }
    }

    /// Backward of the x-dependent part, once the time loop has summed the encoder's and the RNN's
    /// layer-0 gradients per token (`scatterTokenRows`): the x-block weight gradients and
    /// d loss / d phi_x(v) over V rows, then phi_x and the embedding (row v of the embedding is
    /// token v's phi_x input).
    func backwardTokenTables(_ p: UnsafePointer<Float>, _ grad: UnsafeMutablePointer<Float>, _ tables: TokenTables) {
        let c = model.config, v = c.inputSize, fx = c.phiXWidth, tokensV = 0..<v
        let layer0 = model.rnn.layers[0], g = model.rnn.gateWidth
        let phiXOut = UnsafePointer(tables.phiX.output), dPhiX = tables.phiX.outputGrad
        // dW_ih[:, x] += rnnGrad^T phi_x;  d phi_x = rnnGrad W_ih[:, x]
        gemm(transA: true, m: g, n: fx, k: v, a: tables.rnnGrad.pointer, lda: g, b: phiXOut, ldb: fx,
             beta: 1, c: grad + layer0.weightIH, ldc: layer0.inputs)
        gemm(m: v, n: fx, k: g, a: tables.rnnGrad.pointer, lda: g, b: p + layer0.weightIH, ldb: layer0.inputs, beta: 0, c: dPhiX, ldc: fx)
        if let enc = model.encoder {
            let first = enc.layers[0], e0 = first.outputs
            gemm(transA: true, m: e0, n: fx, k: v, a: tables.encoderGrad.pointer, lda: e0, b: phiXOut, ldb: fx,
                 beta: 1, c: grad + first.weight, ldc: first.inputs)
            gemm(m: v, n: fx, k: e0, a: tables.encoderGrad.pointer, lda: e0, b: p + first.weight, ldb: first.inputs, beta: 1, c: dPhiX, ldc: fx)
        }
        model.phiX.backwardToFirstLayer(p, tables.phiX, rows: tokensV)
        let embedding = model.embedding!
        model.phiX.accumulateWeightGradients([p + embedding], into: grad, tables.phiX, rows: tokensV)
        model.phiX.addPartGradient(0, into: grad + embedding, p, tables.phiX, rows: tokensV)
    }

    /// Row i of out = table[tokens[rows.lowerBound + i]] ([V, width] -> [rows.count, width]).
    private func gather(_ table: UnsafePointer<Float>, width: Int, into out: UnsafeMutablePointer<Float>, rows rs: Range<Int>) {
        for (i, r) in rs.enumerated() { (out + i * width).update(from: table + Int(tokens[r]) * width, count: width) }
    }

    /// table[v] += rows[r] for r in `rows` of token v ([TB, width] -> [V, width]).
    private func scatterAdd(_ rowValues: UnsafePointer<Float>, width: Int, into table: UnsafeMutablePointer<Float>, rows rs: Range<Int>) {
        for r in rs {
            let target = table + Int(tokens[r]) * width, source = rowValues + r * width
            for j in 0..<width { target[j] += source[j] }
        }
    }
}
