import Kernels

/// A stack of Linear layers inside the flat parameter buffer, named like a PyTorch
/// `nn.Sequential(Linear, act, Linear, act, ...)`: the i-th Linear is `<name>.<2i>.weight/bias`.
///
/// The first layer may take a concatenated input [part_0, part_1, ...]; its weight
/// W_0 [out, sum(widths)] is multiplied block by block (a column block of W_0 per part), so parts
/// known for the whole window (phi_x) can be multiplied in one GEMM before the time loop and
/// parts produced inside the loop (h_{t-1}) one step at a time.
///
/// Feature extractors (phi_x, phi_z) apply the activation after every layer; heads (prior,
/// encoder, decoder) leave the last Linear's output raw.
public struct MLP: Sendable {
    public struct Layer: Sendable {
        public let weight: Int   // offset of W [outputs, inputs]
        public let bias: Int     // offset of b [outputs]
        public let inputs: Int
        public let outputs: Int
    }

    public let layers: [Layer]
    public let partWidths: [Int]
    public let activation: Activation
    public let activateLast: Bool

    public var outputWidth: Int { layers.last!.outputs }

    /// `widths` are the output widths of all layers in order (hidden layers, then the output).
    public init(name: String, partWidths: [Int], widths: [Int], activation: Activation, activateLast: Bool,
                table: inout ParameterTable) {
        precondition(!widths.isEmpty, "\(name) needs at least one layer")
        var inputs = partWidths.reduce(0, +)
        var layers: [Layer] = []
        for (i, outputs) in widths.enumerated() {
            let bound = 1 / Float(inputs).squareRoot()
            let w = table.add("\(name).\(2 * i).weight", [outputs, inputs], initBound: bound)
            let b = table.add("\(name).\(2 * i).bias", [outputs], initBound: bound)
            layers.append(Layer(weight: w, bias: b, inputs: inputs, outputs: outputs))
            inputs = outputs
        }
        self.layers = layers
        self.partWidths = partWidths
        self.activation = activation
        self.activateLast = activateLast
    }

    func isActivated(_ layer: Int) -> Bool { layer < layers.count - 1 || activateLast }

    /// Column offset of part `index` inside the first layer's weight.
    func partOffset(_ index: Int) -> Int { partWidths[..<index].reduce(0, +) }

    /// Per-layer outputs and gradients for up to `rows` rows. outputs[l] is layer l's output
    /// [rows, outputs_l] after its activation; grads[l] is d loss / d (layer l's pre-activation)
    /// once backward has run (the caller writes d loss / d output into grads.last first).
    public final class State {
        public let outputs: [FloatBuffer]
        public let grads: [FloatBuffer]
        /// Dropout after layer l (nil: none); layer l + 1 then reads its dropped copy.
        public internal(set) var hiddenDropout: [DropoutSite?]
        public init(_ mlp: MLP, rows: Int) {
            outputs = mlp.layers.map { FloatBuffer(count: rows * $0.outputs) }
            grads = mlp.layers.map { FloatBuffer(count: rows * $0.outputs) }
            hiddenDropout = Array(repeating: nil, count: mlp.layers.count)
        }
        /// What layer l > 0 reads: layer l - 1's output, dropped where dropout acts.
        func input(of layer: Int) -> UnsafeMutablePointer<Float> { hiddenDropout[layer - 1]?.dropped.pointer ?? outputs[layer - 1].pointer }
        public var output: UnsafeMutablePointer<Float> { outputs.last!.pointer }
        public var outputGrad: UnsafeMutablePointer<Float> { grads.last!.pointer }
    }

    // MARK: forward

    /// outputs[0][rows] = b_0: the start of the first layer's pre-activation.
    public func beginFirstLayer(_ w: Weights, _ s: State, rows: Range<Int>) {
        let l = layers[0]
        broadcastRows(w.parameters + l.bias, into: s.outputs[0].pointer + rows.lowerBound * l.outputs,
                      rows: rows.count, cols: l.outputs, ldc: l.outputs)
    }

    /// outputs[0][rows] += part[rows] · W_0[:, block of part]^T, with part [rows, width] row-major.
    public func addPart(_ index: Int, _ part: UnsafePointer<Float>, _ w: Weights, _ s: State, rows: Range<Int>) {
        let l = layers[0]
        let width = partWidths[index]
        w.addProduct(part + rows.lowerBound * width, lda: width, m: rows.count, weight: l.weight, n: l.outputs, inputs: l.inputs,
                     column: partOffset(index), k: width, into: s.outputs[0].pointer + rows.lowerBound * l.outputs, ldc: l.outputs)
    }

    /// Activation of the first layer, then every further layer: y_l = act(y_{l-1} W_l^T + b_l).
    public func finishForward(_ w: Weights, _ s: State, rows: Range<Int>) {
        for (i, l) in layers.enumerated() {
            let out = s.outputs[i].pointer + rows.lowerBound * l.outputs
            if i > 0 {
                let input = s.input(of: i) + rows.lowerBound * l.inputs
                broadcastRows(w.parameters + l.bias, into: out, rows: rows.count, cols: l.outputs, ldc: l.outputs)
                w.addProduct(input, lda: l.inputs, m: rows.count, weight: l.weight, n: l.outputs, inputs: l.inputs, column: 0, k: l.inputs,
                             into: out, ldc: l.outputs)
            }
            if isActivated(i) { activation.apply(out, count: rows.count * l.outputs) }
            s.hiddenDropout[i]?.apply(s.outputs[i].pointer, rows: rows)
        }
    }

    /// The whole forward pass for rows whose every input part is known.
    public func forward(_ parts: [UnsafePointer<Float>], _ w: Weights, _ s: State, rows: Range<Int>) {
        beginFirstLayer(w, s, rows: rows)
        for (i, part) in parts.enumerated() { addPart(i, part, w, s, rows: rows) }
        finishForward(w, s, rows: rows)
    }

    // MARK: backward

    /// From d loss / d output (in grads.last) down to d loss / d (first pre-activation) in grads[0].
    public func backwardToFirstLayer(_ p: UnsafePointer<Float>, _ s: State, rows: Range<Int>) {
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            let l = layers[i]
            let grad = s.grads[i].pointer + rows.lowerBound * l.outputs
            if isActivated(i) {
                // grads[i] arrived as d loss / d (the dropped copy) where dropout acts.
                s.hiddenDropout[i]?.backward(s.grads[i].pointer, rows: rows)
                activation.backward(output: s.outputs[i].pointer + rows.lowerBound * l.outputs,
                                    grad: grad, count: rows.count * l.outputs)
            }
            if i > 0 {
                gemm(m: rows.count, n: l.inputs, k: l.outputs, a: grad, lda: l.outputs,
                     b: p + l.weight, ldb: l.inputs,
                     beta: 0, c: s.grads[i - 1].pointer + rows.lowerBound * l.inputs, ldc: l.inputs)
            }
        }
    }

    /// dPart[rows] += grads[0][rows] · W_0[:, block of part].
    public func addPartGradient(_ index: Int, into dPart: UnsafeMutablePointer<Float>, _ p: UnsafePointer<Float>,
                                _ s: State, rows: Range<Int>) {
        let l = layers[0]
        let width = partWidths[index]
        gemm(m: rows.count, n: width, k: l.outputs,
             a: s.grads[0].pointer + rows.lowerBound * l.outputs, lda: l.outputs,
             b: p + l.weight + partOffset(index), ldb: l.inputs,
             beta: 1, c: dPart + rows.lowerBound * width, ldc: width)
    }

    /// Every weight gradient as one GEMM over all `rows`, dW_l += grads[l]^T · input_l, and with
    /// `biases` the bias gradients too (`addBiasGradients`; a caller that ran backward step by step
    /// has added them while the rows were in cache). A nil part is one whose block of W_0 the
    /// caller accumulates itself (text's per-token tables).
    public func accumulateWeightGradients(_ parts: [UnsafePointer<Float>?], into g: UnsafeMutablePointer<Float>,
                                          _ s: State, rows: Range<Int>, biases: Bool = true) {
        for (i, l) in layers.enumerated() {
            let grad = s.grads[i].pointer + rows.lowerBound * l.outputs
            if i == 0 {
                for (j, part) in parts.enumerated() {
                    guard let part else { continue }
                    let width = partWidths[j]
                    gemm(transA: true, m: l.outputs, n: width, k: rows.count, a: grad, lda: l.outputs,
                         b: part + rows.lowerBound * width, ldb: width,
                         beta: 1, c: g + l.weight + partOffset(j), ldc: l.inputs)
                }
            } else {
                gemm(transA: true, m: l.outputs, n: l.inputs, k: rows.count, a: grad, lda: l.outputs,
                     b: s.input(of: i) + rows.lowerBound * l.inputs, ldb: l.inputs,
                     beta: 1, c: g + l.weight, ldc: l.inputs)
            }
        }
        if biases { addBiasGradients(into: g, s, rows: rows) }
    }

    /// db_l += column sums of grads[l][rows] for every layer.
    public func addBiasGradients(into g: UnsafeMutablePointer<Float>, _ s: State, rows: Range<Int>) {
        for (i, l) in layers.enumerated() {
            addColumnSums(s.grads[i].pointer + rows.lowerBound * l.outputs, rows: rows.count, cols: l.outputs, ldx: l.outputs, into: g + l.bias)
        }
    }
}
