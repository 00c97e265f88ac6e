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

    public var model: ModelConfig {
        switch self {
        case .seedChar: return Self.text(embedding: 64, features: 64, latent: 64, hidden: 64)
        case .large: return Self.text(embedding: 64, features: 256, latent: 128, hidden: 512)
        case .tiny: return Self.text(embedding: 16, features: 32, latent: 8, hidden: 32)
        case .pen:
            return ModelConfig(input: .real, inputSize: 3, phiX: [64], phiZ: [64], prior: [64], encoder: [64], decoder: [64],
                               activation: .elu, latent: 16, cell: .gru, hidden: 128, layers: 1, variant: .vrnn, head: .pen, mixtures: 5)
        }
    }

    public var training: TrainingConfig {
        var t = TrainingConfig()
        switch self {
        case .seedChar: t.globalBatch = 64; t.window = 300
        case .large: t.globalBatch = 64; t.window = 100
        case .tiny: t.globalBatch = 8; t.window = 32; t.adam.learningRate = 3e-3
        case .pen: t.globalBatch = 32; t.window = 100; t.adam.learningRate = 3e-3
        }
        return t
    }

    static func text(embedding: Int, features: Int, latent: Int, hidden: Int) -> ModelConfig {
        ModelConfig(input: .categorical, inputSize: 128, embedding: embedding, phiX: [features], phiZ: [features],
                    prior: [features], encoder: [features], decoder: [features], activation: .elu, latent: latent,
                    cell: .gru, hidden: hidden, layers: 1, variant: .vrnn, head: .categorical)
    }
}
