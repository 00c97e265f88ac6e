import Kernels

/// Everything that fixes the model's shape. Codable so that it travels as JSON in every file.
public struct ModelConfig: Codable, Equatable, Sendable {
    public enum Input: String, Codable, Sendable { case categorical, real }
    public enum Cell: String, Codable, Sendable { case gru, lstm }
    public enum Variant: String, Codable, Sendable {
        case vrnn       // learned prior p(z_t | h_{t-1})
        case vrnnI = "vrnn-i"  // standard-normal prior N(0, I)
        case rnn        // no latent variable at all
    }
    /// `pen`: frames [dx, dy, pen-up]; a Bernoulli pen-up and a bivariate Gaussian mixture with
    /// correlation for the offsets (the VRNN paper's handwriting head).
    public enum Head: String, Codable, Sendable { case categorical, gaussian, bernoulli, gmm, pen }

    public var input: Input
    /// Vocabulary size (categorical) or frame width D (real).
    public var inputSize: Int
    /// Embedding width for categorical input (ignored for real input).
    public var embedding: Int
    /// Hidden widths of the feature extractors; each layer is Linear + activation.
    public var phiX: [Int]
    public var phiZ: [Int]
    /// Hidden widths of the prior, encoder and decoder before their output Linear.
    public var prior: [Int]
    public var encoder: [Int]
    public var decoder: [Int]
    public var activation: Activation
    public var latent: Int
    public var cell: Cell
    public var hidden: Int
    public var layers: Int
    public var variant: Variant
    public var head: Head
    /// Mixture components of the `gmm` and `pen` heads.
    public var mixtures: Int
    /// sigma = softplus(raw) + sigmaMin for every Gaussian in the model.
    public var sigmaMin: Float
    /// How the encoder's output makes q (nil, as in files written before it existed: standard).
    public var posterior: Posterior?

    /// `standard`: the encoder outputs q = N(mu_q, softplus(raw) + floor) directly. `residual`:
    /// it outputs q relative to the learned prior, mu_q = mu_p + sigma_p a and sigma_q = sigma_p
    /// (softplus(b) + floor), so the KL, -log ratio + (ratio^2 + a^2) / 2 - 1/2 per dimension, no
    /// longer divides by sigma_p (as NVAE's residual normal distributions; docs/MODEL.md). The same
    /// model family and the same ELBO, in coordinates where the KL's curvature does not grow as
    /// sigma_p shrinks. Without a learned prior (VRNN-I) the two are the same.
    public enum Posterior: String, Codable, CaseIterable, Sendable { case standard, residual }

    /// Whether q is the residual posterior (which needs the prior inside the time loop).
    public var residualPosterior: Bool { posterior == .residual && hasLearnedPrior }

    public init(
        input: Input, inputSize: Int, embedding: Int = 0,
        phiX: [Int], phiZ: [Int], prior: [Int], encoder: [Int], decoder: [Int],
        activation: Activation, latent: Int, cell: Cell, hidden: Int, layers: Int,
        variant: Variant, head: Head, mixtures: Int = 1, sigmaMin: Float = 1e-3
    ) {
        self.input = input; self.inputSize = inputSize; self.embedding = embedding
        self.phiX = phiX; self.phiZ = phiZ; self.prior = prior; self.encoder = encoder; self.decoder = decoder
        self.activation = activation; self.latent = latent; self.cell = cell; self.hidden = hidden
        self.layers = layers; self.variant = variant; self.head = head; self.mixtures = mixtures
        self.sigmaMin = sigmaMin
    }

    public var hasLatent: Bool { variant != .rnn }
    public var hasLearnedPrior: Bool { variant == .vrnn }

    /// Width of the vector phi_x is computed from: the embedding or the raw frame.
    public var phiXInput: Int { input == .categorical ? embedding : inputSize }
    public var phiXWidth: Int { phiX.last ?? phiXInput }
    public var phiZWidth: Int { phiZ.last ?? latent }
    /// Width of the first recurrent layer's input [phi_x, phi_z] (phi_x alone for the RNN baseline).
    public var rnnInputWidth: Int { phiXWidth + (hasLatent ? phiZWidth : 0) }
    /// Width of the decoder's input [phi_z, h_{t-1}] (h_{t-1} alone for the RNN baseline).
    public var decoderInputWidth: Int { (hasLatent ? phiZWidth : 0) + hidden }
    /// Gates per recurrent layer: GRU (r, z, n), LSTM (i, f, g, o).
    public var gates: Int { cell == .gru ? 3 : 4 }

    /// Number of output parameters per step for the head.
    public var headWidth: Int {
        let d = inputSize
        switch head {
        case .categorical, .bernoulli: return d
        case .gaussian: return 2 * d
        case .gmm: return mixtures * (1 + 2 * d)
        case .pen: return 1 + 6 * mixtures
        }
    }

    /// One line naming what is inconsistent, or nil when the configuration is usable.
    public func validationError() -> String? {
        if inputSize < 1 { return "input size must be at least 1 (got \(inputSize))" }
        if input == .categorical && head != .categorical {
            return "categorical input needs the categorical head (got head \(head.rawValue))"
        }
        if input == .real && head == .categorical {
            return "the categorical head needs categorical input; use --head gaussian, bernoulli or gmm for real-valued data"
        }
        if input == .categorical && embedding < 1 { return "categorical input needs an embedding width of at least 1" }
        if hidden < 1 { return "hidden size must be at least 1 (got \(hidden))" }
        if layers < 1 { return "the recurrent cell needs at least 1 layer (got \(layers))" }
        if hasLatent && latent < 1 { return "latent size must be at least 1 for variant \(variant.rawValue)" }
        if (head == .gmm || head == .pen) && mixtures < 1 { return "the \(head.rawValue) head needs at least 1 mixture component" }
        if head == .pen && inputSize != 3 {
            return "the pen head reads frames [dx, dy, pen-up] of 3 values (got \(inputSize)); use a pen dataset from `vrnn prepare synthetic`"
        }
        if posterior == .residual && !hasLearnedPrior {
            return "--posterior residual builds q from the learned prior, which variant \(variant.rawValue) does not have; use --variant vrnn or drop it"
        }
        if !(sigmaMin >= 0 && sigmaMin <= 10) {
            return "--sigma-min must be between 0 and 10 (got \(sigmaMin)): it is a floor on standard deviations of normalised data"
        }
        for (name, widths) in [("phi_x", phiX), ("phi_z", phiZ), ("prior", prior), ("encoder", encoder), ("decoder", decoder)]
        where widths.contains(where: { $0 < 1 }) {
            return "\(name) layer widths must be at least 1 (got \(widths))"
        }
        return nil
    }
}
