import ArgumentParser
import Cluster
import Runs
import Training
import VRNN

struct TrainCommand: ParsableCommand, OptionChecks {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a VRNN, data-parallel over MPI ranks (mpirun -np N vrnn train ...).")

    @Option(help: "Dataset made by `vrnn prepare`.") var data: String?
    @Option(name: .customLong("text"), help: "Or a raw text file, read as bytes over ASCII-128 (no validation split).")
    var textPath: String?
    @Option(name: .customLong("run"), help: "Run folder for config.json, metrics.csv and checkpoints (default: checkpoints/run-DATE-TIME).")
    var runFolder: String?
    @Option(help: "Continue the run in this folder from its latest checkpoint (--steps is the run's new total).")
    var resume: String?
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Write a checkpoint every K steps (and always at the end and on SIGTERM/SIGINT; default 500).")
    var checkpointEvery: Int?
    @Option(name: .customLong("checkpoint-minutes"), parsing: .unconditional, help: "Also write a checkpoint when M minutes have passed since the last one.")
    var checkpointMinutes: Double?
    @Option(name: .customLong("keep-checkpoints"), parsing: .unconditional, help: "Keep the newest K checkpoints in the run folder (default 3).")
    var keepCheckpoints: Int?
    @Option(name: .customLong("pause-before-commit"), parsing: .unconditional, help: .hidden) var pauseBeforeCommit: Int?
    @Option(help: "A config.json (e.g. from an earlier run) to start from instead of a preset; flags override it.")
    var config: String?

    @OptionGroup var model: ModelOptions

    @Option(parsing: .unconditional, help: "Total optimisation steps of the run.") var steps: Int?
    @Option(name: .customLong("global-batch"), parsing: .unconditional, help: "G: streams per step.") var globalBatch: Int?
    @Option(parsing: .unconditional, help: "T: time steps per truncated-BPTT window.") var window: Int?
    @Option(parsing: .unconditional, help: "Seed of the initialisation and of every random number.") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float?
    @Option(parsing: .unconditional, help: "Adam beta1.") var beta1: Float?
    @Option(parsing: .unconditional, help: "Adam beta2.") var beta2: Float?
    @Option(parsing: .unconditional, help: "Adam epsilon.") var eps: Float?
    @Option(name: .customLong("lr-schedule"), help: "How the learning rate moves over --steps: constant (default), cosine (to --lr-min) or step (times --lr-decay every --lr-decay-every steps).")
    var lrSchedule: LearningRateSchedule.Shape?
    @Option(name: .customLong("warmup-steps"), parsing: .unconditional, help: "Raise the learning rate linearly to --lr over this many steps first.")
    var warmupSteps: Int?
    @Option(name: .customLong("lr-min"), parsing: .unconditional, help: "The cosine schedule's final learning rate, and the step schedule's floor (default 0).")
    var lrMin: Float?
    @Option(name: .customLong("lr-decay"), parsing: .unconditional, help: "The step schedule's factor (default 0.1).") var lrDecay: Float?
    @Option(name: .customLong("lr-decay-every"), parsing: .unconditional, help: "The step schedule's interval in steps (default: a third of the steps after warm-up).")
    var lrDecayEvery: Int?
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Weight decay (decoupled, as AdamW, unless --decay-style l2).") var weightDecay: Float?
    @Option(name: .customLong("decay-style"), help: "adamw: shrink the weights by lr*decay each step (torch.optim.AdamW, default); l2: add decay*w to the gradient (torch.optim.Adam).")
    var decayStyle: AdamConfig.DecayStyle?
    @Option(parsing: .unconditional, help: "Global gradient-norm clipping threshold.") var clip: Float?
    @Option(parsing: .unconditional, help: "Dropout rate on phi_x and phi_z (the RNN's input), the decoder's hidden layers and the RNN's output as prior, encoder and decoder read it (training only; default 0).")
    var dropout: Float?
    @Option(name: .customLong("kl-weight"), parsing: .unconditional, help: "Fixed weight beta of the KL term (the adaptive weight's start value).")
    var klWeight: Float?
    @Option(name: .customLong("kl-warmup"), parsing: .unconditional, help: "Raise the KL weight linearly from 0 over this many steps.") var klWarmup: Int?
    @Option(name: .customLong("free-nats"), parsing: .unconditional, help: "Free bits: KL below this many nats per latent dimension and step is not penalised.")
    var freeNats: Float?
    @Option(name: .customLong("kl-target"), parsing: .unconditional, help: "Adapt the KL weight w so that w*KL/reconstruction approaches this ratio.")
    var klTarget: Float?
    @Option(name: .customLong("kl-rate"), parsing: .unconditional, help: "How fast the adaptive KL weight moves per step (in log space).") var klRate: Float?
    @Option(name: .customLong("log-every"), parsing: .unconditional, help: "Print a progress line every K steps (default 10).") var logEvery: Int?
    @Option(name: .customLong("valid-every"), parsing: .unconditional, help: "Measure the validation loss every K steps (and at the end; default 200).")
    var validEvery: Int?
    @Option(name: .customLong("valid-windows"), parsing: .unconditional,
            help: "Windows each stream reads per validation (default 20; 0 or --valid-all: every row of the split).")
    var validWindows: Int?
    @Flag(name: .customLong("valid-all"),
          help: "Validate on every row of the validation split each time, as vrnn eval reads it (as --valid-windows 0).")
    var validAll = false
    @Option(name: .customLong("early-stop"), parsing: .unconditional,
            help: "Stop after N validations in a row without a new best validation loss (the folder's `best` names the best checkpoint).")
    var earlyStop: Int?
    @Flag(help: "Print nothing but errors.") var quiet = false
    @OptionGroup var cluster: ClusterOptions
    @Option(name: .customLong("check-every"), parsing: .unconditional, help: "Compare a checksum of the parameters across ranks every K steps (default 100).")
    var checkEvery: Int?
    @Option(name: .customLong("on-nonfinite"),
            help: "A step whose loss, gradient norm or KL weight is not finite: stop (default; nothing of it is applied or saved) or skip its update.")
    var onNonFinite: RunControl.NonFinite?
    @Option(name: .customLong("max-skips"), parsing: .unconditional, help: "With --on-nonfinite skip, stop after this many skipped steps in a row (default 10).")
    var maxSkips: Int?
    @Option(name: .customLong("dump-first-gradient"), help: .hidden) var dumpFirstGradient: String?

    func checkOptions() throws {
        if data != nil && textPath != nil { throw ValidationError("--data and --text both give the data to train on; choose one") }
        if resume == nil && data == nil && textPath == nil { throw ValidationError("give the data to train on: --data DATASET.h5 or --text FILE") }
        if config != nil && model.preset != nil { throw ValidationError("--config and --preset both give a starting configuration; choose one") }
        if model.mixtures != nil, let head = model.head, head.usualMixtures == 1 {
            throw ValidationError("--mixtures applies to the gmm and pen heads, not --head \(head.rawValue); drop it or choose --head gmm")
        }
        if validAll && validWindows != nil { throw ValidationError("--valid-all and --valid-windows both set the validation budget; choose one") }
        if resume != nil && (config != nil || model.preset != nil || runFolder != nil) {
            throw ValidationError("--resume continues a run with its own configuration and folder; drop --config, --preset and --run")
        }
        // Ranges are checked once the configuration is complete, whatever its source
        // (RunConfig.validationError): flags, a --config file and a resumed run alike.
    }

    /// The effective configuration: config file or preset, then every flag given. A preset's model
    /// takes its input from the data (`ModelConfig.fitted`), with the head --head names, else the
    /// preset's own (pen), else the one the dataset suggests.
    func runConfig(base: RunConfig?, rows: SequenceData, hints: DataHints) -> RunConfig {
        var text = false
        if case .tokens = rows.shape { text = true }
        let preset = model.resolvedPreset(text: text, hints: hints)
        let m = model.modelConfig(base: base?.model ?? preset.model).fitted(to: rows, head: model.head, suggested: hints.head,
                                                                          mixtures: model.mixtures, frames: base == nil)
        var t = base?.training ?? preset.training
        if let steps { t.steps = steps }
        if let globalBatch { t.globalBatch = globalBatch }
        if let window { t.window = window }
        if let seed { t.seed = seed }
        if let lr { t.adam.learningRate = lr }
        if let beta1 { t.adam.beta1 = beta1 }
        if let beta2 { t.adam.beta2 = beta2 }
        if let eps { t.adam.epsilon = eps }
        if let weightDecay { t.adam.weightDecay = weightDecay }
        if let decayStyle { t.adam.decayStyle = decayStyle }
        if let lrSchedule { t.lrSchedule.shape = lrSchedule }
        if let warmupSteps { t.lrSchedule.warmupSteps = warmupSteps }
        if let lrMin { t.lrSchedule.minimum = lrMin }
        if let lrDecay { t.lrSchedule.decay = lrDecay }
        if let lrDecayEvery { t.lrSchedule.every = lrDecayEvery }
        if let clip { t.clip = clip }
        if let dropout { t.dropout = dropout }
        if let klWeight { t.kl.beta = klWeight }
        if let klWarmup { t.kl.warmupSteps = klWarmup }
        if let freeNats { t.kl.freeNats = freeNats }
        if let klTarget { t.kl.adaptiveTarget = klTarget }
        if let klRate { t.kl.adaptiveRate = klRate }
        var control = base?.control ?? RunControl()
        if let checkpointEvery { control.checkpointEvery = checkpointEvery }
        if let checkpointMinutes { control.checkpointMinutes = checkpointMinutes }
        if let keepCheckpoints { control.keepCheckpoints = keepCheckpoints }
        if let logEvery { control.logEvery = logEvery }
        if let validEvery { control.validEvery = validEvery }
        if let validWindows { control.validWindows = validWindows }
        if validAll { control.validWindows = 0 }
        if let checkEvery { control.checkEvery = checkEvery }
        if let onNonFinite { control.onNonFinite = onNonFinite }
        if let maxSkips { control.maxSkips = maxSkips }
        if let earlyStop { control.earlyStop = earlyStop }
        return RunConfig(model: m, training: t, data: base?.data ?? "", control: control)
    }

    var request: RunRequest {
        var request = RunRequest(data: data.map { .dataset($0) } ?? textPath.map { .text($0) }, folder: runFolder, resume: resume,
                                 configFile: config, configure: runConfig)
        request.quiet = quiet
        // auto fits G and T to the data unless they are given (a --config file gives them too).
        if config == nil && globalBatch == nil && window == nil {
            request.fitStreams = model.preset == .auto ? .always : model.preset == nil ? .realValuedData : .never
        }
        request.pauseBeforeCommit = pauseBeforeCommit
        request.dumpFirstGradient = dumpFirstGradient
        return request
    }

    func run() throws {
        let world = cluster.world()
        defer { world.finalize() }
        try TrainingRun(request, collective: world).train()
    }
}

extension RunControl.NonFinite: ExpressibleByArgument {}
extension LearningRateSchedule.Shape: ExpressibleByArgument {}
extension AdamConfig.DecayStyle: ExpressibleByArgument {}
