import ArgumentParser
import Kernels
import Runs
import Training
import VRNN

/// Model and optimiser knobs; each one given overrides the preset's value.
struct ModelOptions: ParsableArguments {
    @Option(help: "Starting configuration: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (default seed-char for text; auto, which picks pen, speech or series and fits G and T to the data, for real-valued data).")
    var preset: Preset?

    /// The preset for this data: the one named (auto resolved), else seed-char for text and auto for frames.
    func resolvedPreset(text: Bool, hints: DataHints) -> Preset {
        (preset ?? (text ? .seedChar : .auto)).resolved(text: text, audio: hints.audio, head: hints.head)
    }

    @Option(parsing: .unconditional, help: "Recurrent state width H.") var hidden: Int?
    @Option(parsing: .unconditional, help: "Latent width Z.") var latent: Int?
    @Option(parsing: .unconditional, help: "Width of every MLP layer (phi_x, phi_z, prior, encoder, decoder).") var features: Int?
    @Option(name: .customLong("mlp-depth"), parsing: .unconditional, help: "Hidden layers of every MLP (phi_x and phi_z: layers in all).") var mlpDepth: Int?
    @Option(name: .customLong("sigma-min"), parsing: .unconditional, help: "Floor added to every standard deviation: sigma = softplus(raw) + floor.")
    var sigmaMin: Float?
    @Option(parsing: .unconditional, help: "Embedding width for text.") var embedding: Int?
    @Option(parsing: .unconditional, help: "Stacked recurrent layers.") var layers: Int?
    @Option(help: "Recurrent cell: gru or lstm.") var cell: ModelConfig.Cell?
    @Option(help: "vrnn (learned prior), vrnn-i (standard-normal prior) or rnn (no latent).") var variant: ModelConfig.Variant?
    @Option(help: "MLP activation: relu, elu or tanh.") var activation: Activation?
    @Option(help: "Output distribution for real-valued data: gaussian, bernoulli, gmm, or pen (frames [dx, dy, pen-up]).") var head: ModelConfig.Head?
    @Option(help: "The posterior q: standard (the encoder gives its mean and sigma) or residual (relative to the learned prior, which keeps the KL stable at high learning rates; docs/MODEL.md).")
    var posterior: ModelConfig.Posterior?
    @Option(parsing: .unconditional, help: "Mixture components of the gmm and pen heads (default 20 for gmm, as in the VRNN paper; 5 for pen).")
    var mixtures: Int?

    /// `base`, or the preset's model, with every knob given on the command line applied.
    func modelConfig(base: ModelConfig) -> ModelConfig {
        var c = base
        if let hidden { c.hidden = hidden }
        if let latent { c.latent = latent }
        if let features { c.phiX = c.phiX.map { _ in features }; c.phiZ = c.phiZ.map { _ in features }
            c.prior = c.prior.map { _ in features }; c.encoder = c.encoder.map { _ in features }
            c.decoder = c.decoder.map { _ in features } }
        if let mlpDepth {
            // Every MLP keeps its first layer's width (phi_x's where it has no hidden layer).
            let width = c.phiX.first ?? c.hidden
            c.phiX = Array(repeating: width, count: max(mlpDepth, 1))
            c.phiZ = Array(repeating: c.phiZ.first ?? width, count: max(mlpDepth, 1))
            c.prior = Array(repeating: c.prior.first ?? width, count: mlpDepth)
            c.encoder = Array(repeating: c.encoder.first ?? width, count: mlpDepth)
            c.decoder = Array(repeating: c.decoder.first ?? width, count: mlpDepth)
        }
        if let sigmaMin { c.sigmaMin = sigmaMin }
        if let embedding { c.embedding = embedding }
        if let layers { c.layers = layers }
        if let cell { c.cell = cell }
        if let variant { c.variant = variant }
        if let activation { c.activation = activation }
        if let head { c.head = head; c.mixtures = head.usualMixtures }   // --mixtures, below, overrides
        if let mixtures { c.mixtures = mixtures }
        // A preset's residual posterior goes with its learned prior; standard is stored as none,
        // as in files written before the choice existed.
        if variant != nil && c.variant != .vrnn && posterior == nil { c.posterior = nil }
        if let posterior { c.posterior = posterior == .standard ? nil : posterior }
        return c
    }
}

extension Preset: ExpressibleByArgument {}
extension ModelConfig.Cell: ExpressibleByArgument {}
extension ModelConfig.Variant: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension ModelConfig.Head: ExpressibleByArgument {}
extension ModelConfig.Posterior: ExpressibleByArgument {}
