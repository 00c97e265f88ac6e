import Kernels

/// Every buffer one truncated-BPTT window of T steps over B streams needs, allocated once.
/// Rows are time-major: row = t * B + b. The caller fills the inputs (tokens or frames, reset
/// flags, noise, initial state) and reads losses and the final state back.
public final class WindowWorkspace {
    public let model: VRNNModel
    public let batch: Int
    public let steps: Int
    public var rows: Int { batch * steps }

    // inputs
    public var tokens: [Int32]          // [TB] categorical input
    public let frames: FloatBuffer       // [TB, D] real-valued input
    public var reset: [UInt8]           // [TB] 1 = zero the carried state before step t of stream b
    public let noise: FloatBuffer        // [TB, Z] eps ~ N(0, I) for z = mu_q + sigma_q * eps
    public let initialH: FloatBuffer     // [L, B, H] state carried in
    public let initialC: FloatBuffer     // [L, B, H] LSTM cell state carried in

    // outputs of backward with respect to the carried-in state
    public let dInitialH: FloatBuffer    // [L, B, H]
    public let dInitialC: FloatBuffer    // [L, B, H]

    // per-row losses of the last forward pass
    public let rowNLL: FloatBuffer       // [TB]
    public let rowKL: FloatBuffer        // [TB]
    let rowPenalty: FloatBuffer          // [TB] sum_j max(KL_j, free nats)
    let latentExtremes: FloatBuffer      // [5] the latent ranges of the last losses (LatentRanges)

    // activations
    let embedded: FloatBuffer            // [TB, E] embedding rows (categorical input)
    let phiX: MLP.State
    let phiZ: MLP.State?
    let prior: MLP.State?
    let encoder: MLP.State?
    let decoder: MLP.State
    let rnn: RecurrentStack.State
    let z: FloatBuffer                   // [TB, Z]
    let sigmaQ: FloatBuffer              // [TB, Z] sigma_q of the last forward pass
    let slopeQ: FloatBuffer              // [TB, Z] sigmoid(raw) = d softplus / d raw of sigma_q's (or the residual ratio's) raw
    let dZ: FloatBuffer                  // [TB, Z]
    let dHiddenTop: FloatBuffer          // [TB, H] d loss / d h_{t-1} from prior, encoder, decoder
    let dEmbedded: FloatBuffer           // [TB, E]
    let carryH: FloatBuffer              // [L, B, H] d loss / d h carried backward in time
    let carryC: FloatBuffer              // [L, B, H]
    let transposedWeights: FloatBuffer   // the parameters' layout, every weight matrix transposed (Weights)
    /// Per-token tables for text input, used when the window has more rows than the vocabulary
    /// (TokenTables.swift); nil runs phi_x and the x-blocks over every row.
    var tokenTables: TokenTables? { didSet { rnn.setLayer0Stepwise(tokenTables != nil) } }
    /// Dropout of training windows (nil: none; `enableDropout`).
    public internal(set) var dropout: Dropout?
    /// Times the passes phase by phase when set (`vrnn bench --phases`); the trainer starts each step.
    public var phases: StepPhases?

    public init(model: VRNNModel, batch: Int, steps: Int) {
        let c = model.config
        let tb = batch * steps, lbh = c.layers * batch * c.hidden
        let z = c.hasLatent ? c.latent : 0
        self.model = model; self.batch = batch; self.steps = steps
        tokens = Array(repeating: 0, count: c.input == .categorical ? tb : 0)
        frames = FloatBuffer(count: c.input == .real ? tb * c.inputSize : 0)
        reset = Array(repeating: 0, count: tb)
        noise = FloatBuffer(count: tb * z)
        let lstm = c.cell == .lstm
        initialH = FloatBuffer(count: lbh); initialC = FloatBuffer(count: lstm ? lbh : 0)
        dInitialH = FloatBuffer(count: lbh); dInitialC = FloatBuffer(count: lstm ? lbh : 0)
        carryH = FloatBuffer(count: lbh); carryC = FloatBuffer(count: lstm ? lbh : 0)
        transposedWeights = FloatBuffer(count: model.parameterCount)
        rowNLL = FloatBuffer(count: tb); rowKL = FloatBuffer(count: tb); rowPenalty = FloatBuffer(count: tb)
        latentExtremes = FloatBuffer(count: 5)
        embedded = FloatBuffer(count: c.input == .categorical ? tb * c.embedding : 0)
        dEmbedded = FloatBuffer(count: c.input == .categorical ? tb * c.embedding : 0)
        phiX = MLP.State(model.phiX, rows: tb)
        phiZ = model.phiZ.map { MLP.State($0, rows: tb) }
        prior = model.prior.map { MLP.State($0, rows: tb) }
        encoder = model.encoder.map { MLP.State($0, rows: tb) }
        decoder = MLP.State(model.decoder, rows: tb)
        let tables = c.input == .categorical && tb > c.inputSize
        rnn = RecurrentStack.State(model.rnn, rows: tb, batch: batch, layer0Stepwise: tables)
        self.z = FloatBuffer(count: tb * z)
        sigmaQ = FloatBuffer(count: tb * z)
        slopeQ = FloatBuffer(count: tb * z)
        dZ = FloatBuffer(count: tb * z)
        dHiddenTop = FloatBuffer(count: tb * c.hidden)
        tokenTables = tables ? TokenTables(model: model) : nil
    }

    /// Rows of time step t.
    @inline(__always)
    func rows(at t: Int) -> Range<Int> { t * batch..<(t + 1) * batch }

    /// The input of phi_x: embedding rows or the raw frames, [TB, phiXInput].
    var phiXInput: UnsafeMutablePointer<Float> { model.config.input == .categorical ? embedded.pointer : frames.pointer }

    /// h_{t-1} of the top layer after resets, [TB, H]: what prior, encoder and decoder read.
    var hiddenTop: UnsafeMutablePointer<Float> { rnn.hPrev[model.config.layers - 1].pointer }

    /// Copies the state after the last step into the initial state, so the next window continues
    /// the streams (the graph is cut here: no gradient flows across windows).
    public func carryStateForward() {
        let h = model.config.hidden, last = rows(at: steps - 1)
        for l in 0..<model.config.layers {
            (initialH.pointer + l * batch * h).update(from: rnn.hOut[l].pointer + last.lowerBound * h, count: batch * h)
            if model.config.cell == .lstm {
                (initialC.pointer + l * batch * h).update(from: rnn.cOut[l].pointer + last.lowerBound * h, count: batch * h)
            }
        }
    }

    /// The state after the last step, [L, B, H] flattened (and the LSTM cell state).
    public func finalState() -> (h: [Float], c: [Float]) {
        let h = model.config.hidden, last = rows(at: steps - 1)
        var hs: [Float] = [], cs: [Float] = []
        for l in 0..<model.config.layers {
            hs += UnsafeBufferPointer(start: rnn.hOut[l].pointer + last.lowerBound * h, count: batch * h)
            if model.config.cell == .lstm {
                cs += UnsafeBufferPointer(start: rnn.cOut[l].pointer + last.lowerBound * h, count: batch * h)
            }
        }
        return (hs, cs)
    }
}
