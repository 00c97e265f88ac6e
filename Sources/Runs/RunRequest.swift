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
    /// training data and what its metadata says. The data path is filled in by the session.
    public var configure: (_ base: RunConfig?, _ data: SequenceData, _ hints: DataHints) -> RunConfig
    /// Whether G and T are fitted to the data's length (`TrainingConfig.fittingStreams`) after
    /// `configure`: `--preset auto`, or no preset on real-valued data, with neither given.
    public var fitStreams = StreamFitting.never

    public enum StreamFitting: Sendable { case never, always, realValuedData }

    /// Print nothing but errors (the run's logEvery is kept for later resumes).
    public var quiet = false
    /// Tests only: wait before committing this step's checkpoint, so it can be killed mid-write.
    public var pauseBeforeCommit: Int?
    /// Rank 0 writes the first step's summed gradient here as raw float32.
    public var dumpFirstGradient: String?

    public init(data: DataSource?, folder: String? = nil, resume: String? = nil, configFile: String? = nil,
                configure: @escaping (_ base: RunConfig?, _ data: SequenceData, _ hints: DataHints) -> RunConfig) {
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

/// What a dataset's metadata says about the model it needs.
public struct DataHints: Sendable {
    /// The output head the data asks for ("pen" from `vrnn prepare synthetic`).
    public var head: ModelConfig.Head?
    /// Whether it was prepared from audio.
    public var audio: Bool
    public init(head: ModelConfig.Head? = nil, audio: Bool = false) { self.head = head; self.audio = audio }
}

extension RunConfig {
    /// A preset's model with its input taken from the data: the vocabulary size for text, or
    /// real-valued frames of the data's width with the head its `hints` ask for (see
    /// `ModelConfig.fitted`); `auto` stands for the preset that suits the data (`Preset.resolved`).
    public init(preset: Preset, fittedTo data: SequenceData, hints: DataHints = DataHints(), mixtures: Int? = nil) {
        var text = false
        if case .tokens = data.shape { text = true }
        let preset = preset.resolved(text: text, audio: hints.audio, head: hints.head)
        self.init(model: preset.model.fitted(to: data, head: nil, suggested: hints.head, mixtures: mixtures), training: preset.training, data: "")
    }
}

extension ModelConfig {
    /// This model reading `data`: text sets the vocabulary size; frames (when `frames` is allowed)
    /// make the input real-valued of the data's width. The head is the one `head` names (a flag),
    /// else this model's own when it was made for frames (the pen preset's), else the one the data
    /// `suggested`, else Gaussian. Unless `mixtures` was given, a head named by `head` or chosen
    /// here gets its usual mixture count (`Head.usualMixtures`); a model's own keeps its count.
    public func fitted(to data: SequenceData, head: Head?, suggested: Head? = nil, mixtures: Int?, frames: Bool = true) -> ModelConfig {
        var m = self
        switch data.shape {
        case .tokens(let vocabulary) where m.input == .categorical: m.inputSize = vocabulary
        case .frames(let d) where frames:
            let own = input == .real ? self.head : nil
            m.input = .real
            m.inputSize = d
            m.head = head ?? own ?? suggested ?? .gaussian
            if mixtures == nil && (head != nil || own == nil) { m.mixtures = m.head.usualMixtures }
        default: break
        }
        return m
    }
}

extension ModelConfig {
    /// The output head as the startup line names it, e.g. "gmm head, 20 components".
    public var headSummary: String {
        switch head {
        case .gmm, .pen: return "\(head.rawValue) head, \(mixtures) component\(mixtures == 1 ? "" : "s")"
        case .categorical: return "categorical head over \(inputSize) symbols"
        case .gaussian, .bernoulli: return "\(head.rawValue) head"
        }
    }
}

extension ModelConfig.Head {
    /// Mixture components a head gets unless told otherwise: 20 for the GMM, as in the VRNN
    /// paper's speech models; 5 for the pen head; 1 where there is no mixture.
    public var usualMixtures: Int {
        switch self {
        case .gmm: return 20
        case .pen: return 5
        case .categorical, .gaussian, .bernoulli: return 1
        }
    }
}
