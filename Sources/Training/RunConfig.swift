import VRNN

/// Everything that defines a run, saved as `config.json` in its folder and accepted back by
/// `vrnn train --config` (flags given on the command line override it).
public struct RunConfig: Codable, Equatable, Sendable {
    public var model: ModelConfig
    public var training: TrainingConfig
    /// The dataset (or text file) trained on.
    public var data: String

    public init(model: ModelConfig, training: TrainingConfig, data: String) {
        self.model = model; self.training = training; self.data = data
    }
}
