import Training
import VRNN

/// What a caller asks of a training run: the data, the folder (new, or one to resume) and how the
/// configuration is made (its `control` part drives checkpoints, logging and checks).
public struct RunRequest {
    public enum DataSource: Sendable {
        /// A dataset made by `vrnn prepare`.
        case dataset(String)
        /// A raw text file, read as bytes over ASCII-128 (no validation split).
        case text(String)
    }

    /// The data to train on; nil on resume means the run's own data.
    public var data: DataSource?
    /// The folder of a new run (nil: checkpoints/run-DATE-TIME).
    public var folder: String?
    /// Continue the run in this folder from its latest checkpoint.
    public var resume: String?
    /// A config.json to start from instead of a preset.
    public var configFile: String?
    /// The run's configuration from the saved or given one (nil when starting from a preset), the
    /// training data and the head the dataset suggests. The data path is filled in by the session.
    public var configure: (_ base: RunConfig?, _ data: SequenceData, _ suggestedHead: ModelConfig.Head?) -> RunConfig

    /// Print nothing but errors (the run's logEvery is kept for later resumes).
    public var quiet = false
    /// Tests only: wait before committing this step's checkpoint, so it can be killed mid-write.
    public var pauseBeforeCommit: Int?
    /// Rank 0 writes the first step's summed gradient here as raw float32.
    public var dumpFirstGradient: String?

    public init(data: DataSource?, folder: String? = nil, resume: String? = nil, configFile: String? = nil,
                configure: @escaping (_ base: RunConfig?, _ data: SequenceData, _ suggestedHead: ModelConfig.Head?) -> RunConfig) {
        self.data = data; self.folder = folder; self.resume = resume; self.configFile = configFile; self.configure = configure
    }

    /// Continue the run in `folder` from its latest checkpoint, with its own configuration, data
    /// and run-control settings given here.
    public static func resuming(_ folder: String) -> RunRequest {
        RunRequest(data: nil, resume: folder) { saved, _, _ in
            guard let saved else { preconditionFailure("a resumed session always passes the checkpoint's configuration") }
            return saved
        }
    }
}

extension RunConfig {
    /// A preset's model (made for text) with its input taken from the data: the vocabulary size
    /// for text, or real-valued frames of the data's width with `head` (the pen head gets at
    /// least 5 mixture components unless `mixtures` is given).
    public init(preset: Preset, fittedTo data: SequenceData, head: ModelConfig.Head?, mixtures: Int? = nil) {
        self.init(model: preset.model.fitted(to: data, head: head, mixtures: mixtures), training: preset.training, data: "")
    }
}

extension ModelConfig {
    /// This model reading `data`: text sets the vocabulary size; frames (when `real` is allowed)
    /// make the input real-valued of the data's width with `head` (default Gaussian). A pen head
    /// gets at least 5 mixture components unless `mixtures` was chosen.
    public func fitted(to data: SequenceData, head: Head?, mixtures: Int?, frames: Bool = true) -> ModelConfig {
        var m = self
        switch data.values {
        case .tokens(_, let vocabulary) where m.input == .categorical: m.inputSize = vocabulary
        case .frames(_, let d) where frames:
            m.input = .real
            m.inputSize = d
            m.head = head ?? .gaussian
            if m.head == .pen && mixtures == nil { m.mixtures = max(m.mixtures, 5) }
        default: break
        }
        return m
    }
}
