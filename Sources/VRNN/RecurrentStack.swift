import CKernels
import Foundation
import Kernels

/// L stacked GRU or LSTM layers with PyTorch's `nn.GRU` / `nn.LSTM` parameter names and gate
/// order, so weights move between the two without reshuffling:
///   GRU  (r, z, n):  r = σ(Wir x + bir + Whr h + bhr), z = σ(Wiz x + biz + Whz h + bhz),
///                    n = tanh(Win x + bin + r ⊙ (Whn h + bhn)),  h' = (1 - z) ⊙ n + z ⊙ h
///   LSTM (i, f, g, o): c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')
/// Layer 0 reads the model's recurrent input; layer l > 0 reads layer l-1's new h.
public struct RecurrentStack: Sendable {
    public struct Layer: Sendable {
        public let weightIH: Int  // [G*H, inputs]
        public let weightHH: Int  // [G*H, H]
        public let biasIH: Int    // [G*H]
        public let biasHH: Int    // [G*H]
        public let inputs: Int
    }

    public let cell: ModelConfig.Cell
    public let hidden: Int
    public let layers: [Layer]
    public var gates: Int { cell == .gru ? 3 : 4 }
    public var gateWidth: Int { gates * hidden }

    public init(cell: ModelConfig.Cell, inputWidth: Int, hidden: Int, layers count: Int, table: inout ParameterTable) {
        self.cell = cell
        self.hidden = hidden
        let g = (cell == .gru ? 3 : 4) * hidden
        let bound = 1 / Float(hidden).squareRoot()
        var layers: [Layer] = []
        for l in 0..<count {
            let inputs = l == 0 ? inputWidth : hidden
            layers.append(Layer(
                weightIH: table.add("rnn.weight_ih_l\(l)", [g, inputs], initBound: bound),
                weightHH: table.add("rnn.weight_hh_l\(l)", [g, hidden], initBound: bound),
                biasIH: table.add("rnn.bias_ih_l\(l)", [g], initBound: bound),
                biasHH: table.add("rnn.bias_hh_l\(l)", [g], initBound: bound),
                inputs: inputs))
        }
        self.layers = layers
    }

    /// Per-layer buffers over all T*B rows of a window (row = t*B + b).
    public final class State {
        public let hPrev: [FloatBuffer]   // [TB, H] h_{t-1} after resets: the cell's input state
        public let hOut: [FloatBuffer]    // [TB, H] h_t
        public let cPrev: [FloatBuffer]   // [TB, H] LSTM c_{t-1} after resets (empty for GRU)
        public let cOut: [FloatBuffer]    // [TB, H] LSTM c_t
        /// [TB, G*H] W_ih x + b_ih of layer 0, computed for the whole window before the loop; empty
        /// while they come step by step (`layer0Stepwise`).
        public private(set) var layer0InputGates: FloatBuffer
        /// [B, G*H] W_ih x + b_ih of the step being computed, for every layer whose input gates come
        /// step by step: layers l > 0, and layer 0 when `layer0Stepwise`. Written and read in cache.
        let stepInputGates: FloatBuffer
        public let gates: [FloatBuffer]   // [TB, G*H] activated gates (GRU r,z,n; LSTM i,f,g,o)
        public let hiddenN: [FloatBuffer] // [TB, H] GRU W_hn h + b_hn, needed by r's gradient
        public let dInputGates: [FloatBuffer]  // [TB, G*H] d loss / d (W_ih x + b_ih)
        public let dHiddenGates: [FloatBuffer] // [TB, G*H] d loss / d (W_hh h + b_hh) (GRU only; LSTM: same as dInputGates)
        let hiddenGates: FloatBuffer      // [B, G*H] scratch for W_hh h + b_hh of one step
        let gateWidth: Int
        let rows: Int

        /// Whether layer 0's input gates come step by step (text's token tables gather them per step).
        var layer0Stepwise: Bool { layer0InputGates.count == 0 }

        /// Switches layer 0's input gates to come step by step, or for the whole window (which
        /// then needs its buffer).
        func setLayer0Stepwise(_ stepwise: Bool) {
            if stepwise != layer0Stepwise { layer0InputGates = FloatBuffer(count: stepwise ? 0 : rows * gateWidth) }
        }

        /// Where `rows` of layer l find W_ih x + b_ih: the one-step scratch (one step's rows), or
        /// layer 0's rows of the window's input gates.
        func loopInputGates(_ l: Int, rows: Range<Int>) -> UnsafeMutablePointer<Float> {
            l > 0 || layer0Stepwise ? stepInputGates.pointer : layer0InputGates.pointer + rows.lowerBound * gateWidth
        }

        init(_ stack: RecurrentStack, rows: Int, batch: Int, layer0Stepwise: Bool) {
            let h = stack.hidden, g = stack.gateWidth, n = stack.layers.count
            let lstm = stack.cell == .lstm
            func make(_ count: Int, _ present: Bool = true) -> [FloatBuffer] {
                (0..<n).map { _ in FloatBuffer(count: present ? rows * count : 0) }
            }
            hPrev = make(h); hOut = make(h)
            cPrev = make(h, lstm); cOut = make(h, lstm)
            layer0InputGates = FloatBuffer(count: layer0Stepwise ? 0 : rows * g)
            stepInputGates = FloatBuffer(count: batch * g)
            gates = make(g)
            hiddenN = make(h, !lstm)
            dInputGates = make(g)
            dHiddenGates = lstm ? dInputGates : make(g)
            hiddenGates = FloatBuffer(count: batch * g)
            gateWidth = g
            self.rows = rows
        }
    }

    /// The step's input gates = b_ih + input[rows] · W_ih^T for a layer l > 0 (input = layer l-1's h_t).
    func computeInputGates(_ l: Int, _ w: Weights, _ s: State, rows: Range<Int>) {
        let layer = layers[l], g = gateWidth
        let out = s.loopInputGates(l, rows: rows)
        broadcastRows(w.parameters + layer.biasIH, into: out, rows: rows.count, cols: g, ldc: g)
        w.addProduct(s.hOut[l - 1].pointer + rows.lowerBound * hidden, lda: hidden, m: rows.count, weight: layer.weightIH, n: g,
                     inputs: layer.inputs, column: 0, k: hidden, into: out, ldc: g)
    }

    /// One time step of layer l over `rows` (one window row block): layer 0's input gates
    /// (`loopInputGates`) and hPrev (and cPrev) must be filled; writes gates, hOut (and cOut).
    func stepForward(_ l: Int, _ w: Weights, _ s: State, rows: Range<Int>) {
        let layer = layers[l], h = hidden, g = gateWidth
        if l > 0 { computeInputGates(l, w, s, rows: rows) }
        let hp = s.hPrev[l].pointer + rows.lowerBound * h
        let gh = s.hiddenGates.pointer
        broadcastRows(w.parameters + layer.biasHH, into: gh, rows: rows.count, cols: g, ldc: g)
        w.addProduct(hp, lda: h, m: rows.count, weight: layer.weightHH, n: g, inputs: h, column: 0, k: h, into: gh, ldc: g)
        let gi = s.loopInputGates(l, rows: rows)
        let act = s.gates[l].pointer + rows.lowerBound * g
        let ho = s.hOut[l].pointer + rows.lowerBound * h
        switch cell {
        case .gru: vk_gru_forward(gi, gh, hp, act, s.hiddenN[l].pointer + rows.lowerBound * h, ho, rows.count, h)
        case .lstm:
            vk_lstm_forward(gi, gh, s.cPrev[l].pointer + rows.lowerBound * h, act, s.cOut[l].pointer + rows.lowerBound * h, ho, rows.count, h)
        }
    }

    /// Backward of one step of layer l. In: dh = d loss / d h_t [B, H] and, for LSTM, dc = d loss / d c_t
    /// from later steps. Out: dInputGates/dHiddenGates[l][rows]; dh is replaced by d loss / d hPrev and
    /// dc by d loss / d cPrev (both before resets are applied).
    func stepBackward(_ l: Int, _ p: UnsafePointer<Float>, _ s: State, rows: Range<Int>,
                      dh: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>) {
        let layer = layers[l], h = hidden, g = gateWidth
        let act = s.gates[l].pointer + rows.lowerBound * g
        let hp = s.hPrev[l].pointer + rows.lowerBound * h
        let dgi = s.dInputGates[l].pointer + rows.lowerBound * g
        let dgh = s.dHiddenGates[l].pointer + rows.lowerBound * g
        switch cell {
        case .gru: vk_gru_backward(act, s.hiddenN[l].pointer + rows.lowerBound * h, hp, dh, dgi, dgh, rows.count, h)
        case .lstm:
            vk_lstm_backward(act, s.cPrev[l].pointer + rows.lowerBound * h, s.cOut[l].pointer + rows.lowerBound * h, dh, dc, dgi, rows.count, h)
        }
        // dh_prev += dGh · W_hh
        gemm(m: rows.count, n: h, k: g, a: dgh, lda: g, b: p + layer.weightHH, ldb: h, beta: 1, c: dh, ldc: h)
    }

    /// d loss / d (layer l's input)[rows] (+)= dInputGates[l][rows] · W_ih[:, columns], for the column
    /// block [column, column + width) of the input.
    func inputGradient(_ l: Int, column: Int, width: Int, into dx: UnsafeMutablePointer<Float>, ldx: Int,
                       beta: Float, _ p: UnsafePointer<Float>, _ s: State, rows: Range<Int>) {
        let layer = layers[l], g = gateWidth
        gemm(m: rows.count, n: width, k: g, a: s.dInputGates[l].pointer + rows.lowerBound * g, lda: g,
             b: p + layer.weightIH + column, ldb: layer.inputs, beta: beta, c: dx, ldc: ldx)
    }

    /// All recurrent weight gradients as GEMMs over every row of the window (the biases' come from
    /// `addBiasGradients`, step by step). `layer0Parts` are the
    /// column blocks of layer 0's input ([rows, width] each); a nil block is one the caller
    /// accumulates itself (text's per-token tables).
    func accumulateWeightGradients(layer0Parts: [(UnsafePointer<Float>?, Int)], into grad: UnsafeMutablePointer<Float>,
                                   _ s: State, rows: Int) {
        let h = hidden, g = gateWidth
        for (l, layer) in layers.enumerated() {
            let dgi = s.dInputGates[l].pointer, dgh = s.dHiddenGates[l].pointer
            let parts: [(UnsafePointer<Float>?, Int)] = l == 0 ? layer0Parts : [(UnsafePointer(s.hOut[l - 1].pointer), h)]
            var column = 0
            for (x, width) in parts {
                if let x {
                    gemm(transA: true, m: g, n: width, k: rows, a: dgi, lda: g, b: x, ldb: width,
                         beta: 1, c: grad + layer.weightIH + column, ldc: layer.inputs)
                }
                column += width
            }
            gemm(transA: true, m: g, n: h, k: rows, a: dgh, lda: g, b: s.hPrev[l].pointer, ldb: h,
                 beta: 1, c: grad + layer.weightHH, ldc: h)
        }
    }

    /// Layer l's bias gradients from `rows`: db_ih += column sums of dInputGates, db_hh of
    /// dHiddenGates. The reverse time loop adds each step's rows once `stepBackward` wrote them.
    func addBiasGradients(_ l: Int, into grad: UnsafeMutablePointer<Float>, _ s: State, rows: Range<Int>) {
        let layer = layers[l], g = gateWidth, first = rows.lowerBound * g
        addColumnSums(s.dInputGates[l].pointer + first, rows: rows.count, cols: g, ldx: g, into: grad + layer.biasIH)
        addColumnSums(s.dHiddenGates[l].pointer + first, rows: rows.count, cols: g, ldx: g, into: grad + layer.biasHH)
    }
}
