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

    public var model: ModelConfig {
        switch self {
        case .seedChar: return Self.text(embedding: 64, features: 64, latent: 64, hidden: 64)
        case .large: return Self.text(embedding: 64, features: 256, latent: 128, hidden: 512)
        case .tiny: return Self.text(embedding: 16, features: 32, latent: 8, hidden: 32)
        }
    }

    public var training: TrainingConfig {
        var t = TrainingConfig()
        switch self {
        case .seedChar: t.globalBatch = 64; t.window = 300
        case .large: t.globalBatch = 64; t.window = 100
        case .tiny: t.globalBatch = 8; t.window = 32; t.adam.learningRate = 3e-3
        }
        return t
    }

    static func text(embedding: Int, features: Int, latent: Int, hidden: Int) -> ModelConfig {
        ModelConfig(input: .categorical, inputSize: 128, embedding: embedding, phiX: [features], phiZ: [features],
                    prior: [features], encoder: [features], decoder: [features], activation: .elu, latent: latent,
                    cell: .gru, hidden: hidden, layers: 1, variant: .vrnn, head: .categorical)
    }
}
