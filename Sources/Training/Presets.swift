import Kernels
import VRNN

/// Named starting points for a run's model and training configuration.
public enum Preset: String, CaseIterable, Codable, Sendable {
    /// The reference notebook: ASCII 128, embedding 64, ELU features 64, z 64, GRU 64, G 64,
    /// T 300, Adam lr 1e-3.
    case seedChar = "seed-char"
    /// A larger text model: hidden 512, z 128, features 256, G 64, T 100.
    case large
    /// A few-second model for smoke runs and tests.
    case tiny
    /// Pen trajectories (`vrnn prepare synthetic`): pen head with 5 components, features 64,
    /// z 16, GRU 128, G 32, T 100, lr 3e-3.
    case pen
    /// Speech as the VRNN paper models it: frames of 200 samples (`vrnn prepare audio --frame 200`),
    /// GMM head with 20 components, features 256, z 64, GRU 512, G 32, T 40 (half a second at
    /// 16 kHz); sized for minutes to hours of audio.
    case speech
    /// Other real-valued sequences (sensor streams, CSV time series): Gaussian head, features 64,
    /// z 16, GRU 128, G 16, T 50, lr 3e-3.
    case series
    /// Chosen from the data (`resolved`), with G and T fitted to its length; the default for
    /// real-valued data.
    case auto

    public var model: ModelConfig {
        switch self {
        case .seedChar: return Self.text(embedding: 64, features: 64, latent: 64, hidden: 64)
        case .large: return Self.text(embedding: 64, features: 256, latent: 128, hidden: 512)
        case .tiny: return Self.text(embedding: 16, features: 32, latent: 8, hidden: 32)
        case .pen: return Self.frames(inputSize: 3, features: 64, latent: 16, hidden: 128, head: .pen, mixtures: 5)
        case .speech: return Self.frames(inputSize: 200, features: 256, latent: 64, hidden: 512, head: .gmm, mixtures: 20)
        case .series: return Self.frames(inputSize: 1, features: 64, latent: 16, hidden: 128, head: .gaussian, mixtures: 1)
        case .auto: return Preset.seedChar.model
        }
    }

    public var training: TrainingConfig {
        var t = TrainingConfig()
        switch self {
        case .seedChar: t.globalBatch = 64; t.window = 300
        case .large: t.globalBatch = 64; t.window = 100
        case .tiny: t.globalBatch = 8; t.window = 32; t.adam.learningRate = 3e-3
        case .pen: t.globalBatch = 32; t.window = 100; t.adam.learningRate = 3e-3
        case .speech: t.globalBatch = 32; t.window = 40
        case .series: t.globalBatch = 16; t.window = 50; t.adam.learningRate = 3e-3
        case .auto: return Preset.seedChar.training
        }
        return t
    }

    /// What `auto` stands for on this data: seed-char for text, pen for pen trajectories, speech
    /// for audio, series for other real-valued data. Every other preset is itself.
    public func resolved(text: Bool, audio: Bool, head: ModelConfig.Head?) -> Preset {
        guard self == .auto else { return self }
        return text ? .seedChar : head == .pen ? .pen : audio ? .speech : .series
    }

    /// Every preset's q is the residual posterior: the standard one let the reference notebook's
    /// lr 0.01 blow the KL up (docs/EXPERIMENTS.md); `--posterior standard` gives it back.
    static func text(embedding: Int, features: Int, latent: Int, hidden: Int) -> ModelConfig {
        var m = ModelConfig(input: .categorical, inputSize: 128, embedding: embedding, phiX: [features], phiZ: [features],
                            prior: [features], encoder: [features], decoder: [features], activation: .elu, latent: latent,
                            cell: .gru, hidden: hidden, layers: 1, variant: .vrnn, head: .categorical)
        m.posterior = .residual
        return m
    }

    static func frames(inputSize: Int, features: Int, latent: Int, hidden: Int, head: ModelConfig.Head, mixtures: Int) -> ModelConfig {
        var m = ModelConfig(input: .real, inputSize: inputSize, phiX: [features], phiZ: [features], prior: [features], encoder: [features],
                            decoder: [features], activation: .elu, latent: latent, cell: .gru, hidden: hidden, layers: 1, variant: .vrnn,
                            head: head, mixtures: mixtures)
        m.posterior = .residual
        return m
    }
}
