import ArgumentParser
import Cluster
import Foundation
import Kernels
import Training
import VRNN

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a VRNN on text, data-parallel over MPI ranks (mpirun -np N vrnn train ...).")

    @Option(name: .customLong("text"), help: "Text file to train on, read as bytes (ASCII vocabulary of 128).")
    var textPath: String

    @OptionGroup var model: ModelOptions

    @Option(help: "Total optimisation steps of the run.") var steps: Int?
    @Option(name: .customLong("global-batch"), help: "G: streams per step.") var globalBatch: Int?
    @Option(help: "T: time steps per truncated-BPTT window.") var window: Int?
    @Option(help: "Seed of the initialisation and of every random number.") var seed: UInt64?
    @Option(help: "Adam learning rate.") var lr: Float?
    @Option(help: "Global gradient-norm clipping threshold.") var clip: Float?
    @Option(name: .customLong("log-every"), help: "Print a progress line every K steps.") var logEvery = 10
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Option(name: .customLong("check-every"), help: "Compare a checksum of the parameters across ranks every K steps.")
    var checkEvery = 100
    @Option(name: .customLong("dump-first-gradient"), help: .hidden) var dumpFirstGradient: String?

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if let globalBatch, globalBatch < 1 { throw ValidationError("--global-batch must be at least 1 (got \(globalBatch))") }
        if let window, window < 1 { throw ValidationError("--window must be at least 1 (got \(window))") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr))") }
        if let clip, !(clip > 0) { throw ValidationError("--clip must be positive (got \(clip))") }
        if logEvery < 1 { throw ValidationError("--log-every must be at least 1 (got \(logEvery))") }
        if checkEvery < 1 { throw ValidationError("--check-every must be at least 1 (got \(checkEvery))") }
    }

    func trainingConfig() -> TrainingConfig {
        var t = model.preset.training
        if let steps { t.steps = steps }
        if let globalBatch { t.globalBatch = globalBatch }
        if let window { t.window = window }
        if let seed { t.seed = seed }
        if let lr { t.adam.learningRate = lr }
        if let clip { t.clip = clip }
        return t
    }

    func run() throws {
        let world = MPICollective()
        defer { world.finalize() }
        let config = model.modelConfig()
        let training = trainingConfig()
        let rank0 = world.rank == 0

        // Setup can fail on some ranks only (a file visible on one node but not another): agree
        // first, so that every rank leaves together and exactly one reports.
        let setup = Result { () throws -> (Trainer, ASCIIText) in
            let text = try ASCIIText(path: textPath)
            let vrnn = try VRNNModel(config)
            return (try Trainer(model: vrnn, config: training, tokens: text.tokens, collective: world), text)
        }
        if let failing = world.firstFailingRank((try? setup.get()) == nil) {
            if world.rank == failing, case .failure(let error) = setup { report(error, world) }
            throw ExitCode.failure
        }
        let (trainer, text) = try setup.get()

        let log = ProgressLog(total: training.steps, tokensPerStep: training.globalBatch * training.window,
                              every: quiet || !rank0 ? nil : logEvery)
        log.line("vrnn: \(BLASSetup.summary)")
        log.line("vrnn: \(world.size) rank\(world.size == 1 ? "" : "s"), \(training.globalBatch / world.size) streams each")
        log.line("vrnn: \(textPath): \(text.tokens.count) characters"
                 + (text.replaced > 0 ? ", \(text.replaced) outside ASCII replaced by '?'" : ""))
        log.line("vrnn: \(config.variant.rawValue) \(config.cell.rawValue) H=\(config.hidden) Z=\(config.latent), "
                 + "\(trainer.model.parameterCount) parameters, G=\(training.globalBatch) T=\(training.window), \(training.steps) steps")
        try checkParametersAgree(trainer, world)

        var last: StepMetrics?
        for _ in 0..<training.steps {
            let metrics = trainer.trainStep(inspectGradient: trainer.step == 0 ? dumpGradient(rank0) : nil)
            // The reduced loss is the same on every rank, so every rank takes this branch together.
            guard metrics.loss.isFinite else {
                if rank0 { report(UserError("the loss became \(metrics.loss) at step \(metrics.step); lower --lr or --clip"), world) }
                throw ExitCode.failure
            }
            if metrics.step % checkEvery == 0 { try checkParametersAgree(trainer, world) }
            log.report(metrics)
            last = metrics
        }
        if rank0, !quiet, let last { print(log.summary(last)) }
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

/// Prints `vrnn: error: ...` (naming the rank when there are several) to standard error.
func report(_ error: Error, _ world: Collective) {
    let rank = world.size > 1 ? "rank \(world.rank): " : ""
    FileHandle.standardError.write(Data("vrnn: error: \(rank)\(error)\n".utf8))
}

/// Text read as bytes over the fixed ASCII-128 vocabulary; any byte >= 128 becomes '?' and is counted.
struct ASCIIText {
    let tokens: [Int32]
    let replaced: Int

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError("\(path): cannot read the file (missing or not readable)")
        }
        guard !data.isEmpty else { throw UserError("\(path): the file is empty") }
        var replaced = 0
        tokens = data.map { byte in
            if byte < 128 { return Int32(byte) }
            replaced += 1
            return Int32(UInt8(ascii: "?"))
        }
        self.replaced = replaced
    }
}
