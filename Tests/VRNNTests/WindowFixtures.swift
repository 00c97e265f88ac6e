import Kernels
import VRNN

/// Builds a model and a window with deterministic random parameters, inputs, noise, resets and
/// carried-in state, for the gradient checks and the training tests.
struct RandomWindow {
    let model: VRNNModel
    let workspace: WindowWorkspace
    let parameters: FloatBuffer

    init(_ config: ModelConfig, batch: Int, steps: Int, seed: UInt64, resetEvery: Int = 0) throws {
        model = try VRNNModel(config)
        workspace = WindowWorkspace(model: model, batch: batch, steps: steps)
        parameters = FloatBuffer(count: model.parameterCount)
        model.table.initialise(parameters, seed: seed)
        let random = CounterRandom(seed: seed, stream: 99)
        let tb = batch * steps
        switch config.input {
        case .categorical:
            let u = FloatBuffer(count: tb)
            random.fillUniform(u.pointer, count: tb, step: 1, t: 0, purpose: 0)
            for r in 0..<tb { workspace.tokens[r] = Int32(u[r] * Float(config.inputSize)) % Int32(config.inputSize) }
        case .real:
            let n = tb * config.inputSize
            if config.head == .bernoulli {
                random.fillUniform(workspace.frames.pointer, count: n, step: 1, t: 1, purpose: 0)
                for i in 0..<n { workspace.frames[i] = workspace.frames[i] < 0.4 ? 1 : 0 }
            } else {
                random.fillNormal(workspace.frames.pointer, count: n, step: 1, t: 1, purpose: 0)
            }
            if config.head == .pen {
                // The pen-up column is 0 or 1.
                for r in 0..<tb { workspace.frames[r * 3 + 2] = workspace.frames[r * 3 + 2] > 0.5 ? 1 : 0 }
            }
        }
        random.fillNormal(workspace.noise.pointer, count: workspace.noise.count, step: 1, t: 2, purpose: 0)
        random.fillNormal(workspace.initialH.pointer, count: workspace.initialH.count, step: 1, t: 3, purpose: 0)
        random.fillNormal(workspace.initialC.pointer, count: workspace.initialC.count, step: 1, t: 4, purpose: 0)
        for i in 0..<workspace.initialH.count { workspace.initialH[i] *= 0.5 }
        if resetEvery > 0 {
            for r in 0..<tb where (r * 7 + 3) % resetEvery == 0 && r >= batch { workspace.reset[r] = 1 }
        }
    }
}

/// Small configurations that between them cover every head, variant, cell and activation.
enum TestConfigs {
    static func make(input: ModelConfig.Input = .real, size: Int = 3, head: ModelConfig.Head, variant: ModelConfig.Variant,
                     cell: ModelConfig.Cell, layers: Int, activation: Activation, deep: Bool = false,
                     mixtures: Int = 1, posterior: ModelConfig.Posterior? = nil) -> ModelConfig {
        let hiddenWidths = deep ? [5, 4] : [5]
        var config = ModelConfig(
            input: input, inputSize: size, embedding: input == .categorical ? 4 : 0,
            phiX: hiddenWidths, phiZ: deep ? [4, 5] : [4], prior: hiddenWidths, encoder: hiddenWidths,
            decoder: hiddenWidths, activation: activation, latent: 3, cell: cell, hidden: 5, layers: layers,
            variant: variant, head: head, mixtures: mixtures, sigmaMin: 1e-3)
        config.posterior = posterior
        return config
    }

    static let all: [(String, ModelConfig)] = [
        ("categorical VRNN GRU elu", make(input: .categorical, size: 6, head: .categorical, variant: .vrnn, cell: .gru, layers: 1, activation: .elu)),
        ("gaussian VRNN LSTM×2 tanh deep", make(head: .gaussian, variant: .vrnn, cell: .lstm, layers: 2, activation: .tanh, deep: true)),
        ("bernoulli VRNN-I GRU×2 tanh", make(size: 4, head: .bernoulli, variant: .vrnnI, cell: .gru, layers: 2, activation: .tanh)),
        ("gmm VRNN GRU relu", make(size: 2, head: .gmm, variant: .vrnn, cell: .gru, layers: 1, activation: .relu, mixtures: 3)),
        ("gmm RNN LSTM elu", make(size: 2, head: .gmm, variant: .rnn, cell: .lstm, layers: 1, activation: .elu, mixtures: 2)),
        ("categorical RNN GRU×2 tanh", make(input: .categorical, size: 5, head: .categorical, variant: .rnn, cell: .gru, layers: 2, activation: .tanh)),
        ("gaussian VRNN-I LSTM elu", make(head: .gaussian, variant: .vrnnI, cell: .lstm, layers: 1, activation: .elu)),
        ("pen VRNN GRU tanh", make(size: 3, head: .pen, variant: .vrnn, cell: .gru, layers: 1, activation: .tanh, mixtures: 3)),
        ("pen VRNN-I LSTM elu", make(size: 3, head: .pen, variant: .vrnnI, cell: .lstm, layers: 1, activation: .elu, mixtures: 1)),
        ("categorical VRNN GRU elu residual", make(input: .categorical, size: 6, head: .categorical, variant: .vrnn, cell: .gru, layers: 1,
                                                   activation: .elu, posterior: .residual)),
        ("gaussian VRNN LSTM×2 tanh deep residual", make(head: .gaussian, variant: .vrnn, cell: .lstm, layers: 2, activation: .tanh, deep: true,
                                                         posterior: .residual)),
    ]
}
