import VRNN

/// Everything that defines a run, saved as `config.json` in its folder and accepted back by
/// `vrnn train --config` (flags given on the command line override it).
public struct RunConfig: Codable, Equatable, Sendable {
    public var model: ModelConfig
    public var training: TrainingConfig
    /// The dataset (or text file) trained on.
    public var data: String
    /// Checkpoints, logging, validation and checks: how the run is driven.
    public var control: RunControl

    public init(model: ModelConfig, training: TrainingConfig, data: String, control: RunControl = RunControl()) {
        self.model = model; self.training = training; self.data = data; self.control = control
    }

    private enum CodingKeys: String, CodingKey { case model, training, data, control }

    /// Runs saved before `control` existed read it as the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(ModelConfig.self, forKey: .model)
        training = try c.decode(TrainingConfig.self, forKey: .training)
        data = try c.decode(String.self, forKey: .data)
        control = try c.decodeIfPresent(RunControl.self, forKey: .control) ?? RunControl()
    }
}
