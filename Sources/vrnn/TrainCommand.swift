import ArgumentParser
import Cluster
import Foundation
import Kernels
import Storage
import Training
import VRNN

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a VRNN, data-parallel over MPI ranks (mpirun -np N vrnn train ...).")

    @Option(help: "Dataset made by `vrnn prepare text`.") var data: String?
    @Option(name: .customLong("text"), help: "Or a raw text file, read as bytes over ASCII-128 (no validation split).")
    var textPath: String?
    @Option(name: .customLong("run"), help: "Run folder for config.json and metrics.csv (default: checkpoints/run-DATE-TIME).")
    var runFolder: String?
    @Option(help: "A config.json (e.g. from an earlier run) to start from instead of a preset; flags override it.")
    var config: String?

    @OptionGroup var model: ModelOptions

    @Option(help: "Total optimisation steps of the run.") var steps: Int?
    @Option(name: .customLong("global-batch"), help: "G: streams per step.") var globalBatch: Int?
    @Option(help: "T: time steps per truncated-BPTT window.") var window: Int?
    @Option(help: "Seed of the initialisation and of every random number.") var seed: UInt64?
    @Option(help: "Adam learning rate.") var lr: Float?
    @Option(help: "Adam beta1.") var beta1: Float?
    @Option(help: "Adam beta2.") var beta2: Float?
    @Option(help: "Adam epsilon.") var eps: Float?
    @Option(name: .customLong("weight-decay"), help: "Adam L2 weight decay.") var weightDecay: Float?
    @Option(help: "Global gradient-norm clipping threshold.") var clip: Float?
    @Option(name: .customLong("log-every"), help: "Print a progress line every K steps.") var logEvery = 10
    @Option(name: .customLong("valid-every"), help: "Measure the validation loss every K steps (and at the end).")
    var validEvery = 200
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Option(name: .customLong("check-every"), help: "Compare a checksum of the parameters across ranks every K steps.")
    var checkEvery = 100
    @Option(name: .customLong("dump-first-gradient"), help: .hidden) var dumpFirstGradient: String?

    func validate() throws {
        if (data == nil) == (textPath == nil) { throw ValidationError("give the data to train on: --data DATASET.h5 or --text FILE (one of them)") }
        if config != nil && model.preset != nil { throw ValidationError("--config and --preset both give a starting configuration; choose one") }
        for (name, value) in [("--steps", steps), ("--global-batch", globalBatch), ("--window", window)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1 (got \(value))") }
        }
        for (name, value) in [("--log-every", logEvery), ("--valid-every", validEvery), ("--check-every", checkEvery)] where value < 1 {
            throw ValidationError("\(name) must be at least 1 (got \(value))")
        }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr))") }
        if let clip, !(clip > 0) { throw ValidationError("--clip must be positive (got \(clip))") }
        for (name, value) in [("--beta1", beta1), ("--beta2", beta2)] {
            if let value, !(value >= 0 && value < 1) { throw ValidationError("\(name) must be in [0, 1) (got \(value))") }
        }
        if let eps, !(eps > 0) { throw ValidationError("--eps must be positive (got \(eps))") }
        if let weightDecay, !(weightDecay >= 0) { throw ValidationError("--weight-decay must be non-negative (got \(weightDecay))") }
    }

    /// The effective configuration: config file or preset, then every flag given. A preset's model
    /// (made for text) takes its input from the data: the vocabulary size for text, or real-valued
    /// frames of the data's width with a Gaussian head unless --head says otherwise.
    func runConfig(base: RunConfig?, rows: SequenceData) -> RunConfig {
        var m = model.modelConfig(base: base?.model)
        switch rows.values {
        case .tokens(_, let vocabulary) where m.input == .categorical: m.inputSize = vocabulary
        case .frames(_, let d) where base == nil:
            m.input = .real
            m.inputSize = d
            m.head = model.head ?? .gaussian
        default: break
        }
        var t = base?.training ?? model.resolvedPreset.training
        if let steps { t.steps = steps }
        if let globalBatch { t.globalBatch = globalBatch }
        if let window { t.window = window }
        if let seed { t.seed = seed }
        if let lr { t.adam.learningRate = lr }
        if let beta1 { t.adam.beta1 = beta1 }
        if let beta2 { t.adam.beta2 = beta2 }
        if let eps { t.adam.epsilon = eps }
        if let weightDecay { t.adam.weightDecay = weightDecay }
        if let clip { t.clip = clip }
        return RunConfig(model: m, training: t, data: data ?? textPath ?? "")
    }

    func run() throws {
        let world = MPICollective()
        defer { world.finalize() }
        let rank0 = world.rank == 0

        // Setup can fail on some ranks only (a file visible on one node but not another): agree
        // first, so that every rank leaves together and exactly one reports.
        let setup = Result { () throws -> Session in try Session(self, world) }
        if let failing = world.firstFailingRank((try? setup.get()) == nil) {
            if world.rank == failing, case .failure(let error) = setup { report(error, world) }
            throw ExitCode.failure
        }
        let session = try setup.get()
        let trainer = session.trainer, training = session.config.training, config = session.config.model

        let log = ProgressLog(total: training.steps, tokensPerStep: training.globalBatch * training.window,
                              every: quiet || !rank0 ? nil : logEvery, text: config.input == .categorical)
        log.line("vrnn: \(BLASSetup.summary)")
        log.line("vrnn: \(world.size) rank\(world.size == 1 ? "" : "s"), \(training.globalBatch / world.size) streams each")
        log.line("vrnn: \(session.config.data): \(session.trainRows) training rows, "
                 + (session.validator.map { "\($0.characters) validation rows per pass" }
                    ?? session.validationSkipped.map { "validation skipped: \($0)" } ?? "no validation split"))
        log.line("vrnn: \(config.variant.rawValue) \(config.cell.rawValue) H=\(config.hidden) Z=\(config.latent), "
                 + "\(trainer.model.parameterCount) parameters, G=\(training.globalBatch) T=\(training.window), \(training.steps) steps")
        if let folder = session.folder { log.line("vrnn: run folder \(folder)") }
        try checkParametersAgree(trainer, world)

        var last: StepMetrics?
        for _ in 0..<training.steps {
            var metrics = trainer.trainStep(inspectGradient: trainer.step == 0 ? dumpGradient(rank0) : nil)
            // The reduced loss is the same on every rank, so every rank takes this branch together.
            guard metrics.loss.isFinite else {
                if rank0 { report(UserError("the loss became \(metrics.loss) at step \(metrics.step); lower --lr or --clip"), world) }
                throw ExitCode.failure
            }
            if metrics.step % checkEvery == 0 { try checkParametersAgree(trainer, world) }
            if let validator = session.validator, metrics.step % validEvery == 0 || metrics.step == training.steps {
                let sums = validator.run(parameters: trainer.parameters, collective: world)
                metrics.validLoss = (sums.reconstruction + sums.kl) / Double(validator.characters)
            }
            log.report(metrics)
            session.metrics?.append(metrics, charactersPerSecond: log.rate(at: metrics.step))
            last = metrics
        }
        if rank0, !quiet, let last {
            print(log.summary(last))
            if let folder = session.folder { print("vrnn: config and metrics in \(folder)/ (config.json, metrics.csv)") }
        }
    }

    /// Aborts the run, with one message from rank 0, if any rank's parameters differ from another's.
    private func checkParametersAgree(_ trainer: Trainer, _ world: MPICollective) throws {
        let (low, high) = world.allreduceMinMax(trainer.parameterChecksum())
        guard low != high else { return }
        if world.rank == 0 {
            report(UserError("the ranks' parameters differ at step \(trainer.step) (checksum \(low) vs \(high)); "
                             + "every rank must run the same vrnn build on the same data"), world)
        }
        throw ExitCode.failure
    }

    /// With --dump-first-gradient, rank 0 writes the first step's summed gradient as raw float32.
    private func dumpGradient(_ rank0: Bool) -> ((FloatBuffer) -> Void)? {
        guard let dumpFirstGradient, rank0 else { return nil }
        return { gradient in
            let data = Data(bytes: gradient.pointer, count: gradient.count * MemoryLayout<Float>.size)
            FileManager.default.createFile(atPath: dumpFirstGradient, contents: data)
        }
    }
}

/// What a training run sets up before its first step; any failure here is agreed across ranks.
struct Session {
    let config: RunConfig
    let trainer: Trainer
    let validator: Validator?
    let validationSkipped: String?
    let trainRows: Int
    let folder: String?          // rank 0 only
    let metrics: MetricsFile?    // rank 0 only

    init(_ command: TrainCommand, _ world: MPICollective) throws {
        let base: RunConfig? = try command.config.map { path in
            guard let bytes = FileManager.default.contents(atPath: path) else { throw UserError("\(path): cannot read the config file") }
            do { return try JSONDecoder().decode(RunConfig.self, from: bytes) } catch {
                throw UserError("\(path): not a vrnn run config (\(error)); start from a run's config.json")
            }
        }
        let train: SequenceData, valid: SequenceData?
        if let path = command.data {
            let dataset = try SequenceDataset(readingAt: path)
            train = SequenceData(dataset.slice(dataset.train))
            valid = dataset.valid.isEmpty ? nil : SequenceData(dataset.slice(dataset.valid))
        } else {
            let text = EncodedText(bytes: try EncodedText.read(command.textPath!), vocabulary: EncodedText.ascii)
            train = SequenceData(.tokens(text.tokens, vocabulary: text.vocabulary.count))
            valid = nil
        }
        let config = command.runConfig(base: base, rows: train)
        self.config = config
        let model = try VRNNModel(config.model)
        trainer = try Trainer(model: model, config: config.training, data: train, collective: world)
        // A validation split too short for one window per stream is skipped, and the log says why.
        do {
            validator = try valid.map { try Validator(model: model, data: $0, config: config.training, collective: world) }
            validationSkipped = nil
        } catch {
            validator = nil
            validationSkipped = "\(error)"
        }
        trainRows = train.rowCount
        if world.rank == 0 {
            let folder = command.runFolder ?? Self.defaultFolder()
            try Self.createRunFolder(folder, config: config)
            self.folder = folder
            metrics = try MetricsFile(path: folder + "/metrics.csv")
        } else {
            folder = nil
            metrics = nil
        }
    }

    static func defaultFolder() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "checkpoints/run-" + formatter.string(from: Date())
    }

    /// Creates the folder and writes config.json; refuses a folder that already holds a run.
    static func createRunFolder(_ folder: String, config: RunConfig) throws {
        let file = folder + "/config.json"
        if FileManager.default.fileExists(atPath: file) {
            throw UserError("\(folder) already holds a run (config.json); choose another --run folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(config).write(to: URL(fileURLWithPath: file))
        } catch {
            throw UserError("\(folder): cannot create the run folder (\(error.localizedDescription))")
        }
    }
}

/// Prints `vrnn: error: ...` (naming the rank when there are several) to standard error.
func report(_ error: Error, _ world: Collective) {
    let rank = world.size > 1 ? "rank \(world.rank): " : ""
    FileHandle.standardError.write(Data("vrnn: error: \(rank)\(error)\n".utf8))
}
