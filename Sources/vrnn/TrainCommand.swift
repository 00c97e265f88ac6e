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

    @Option(help: "Dataset made by `vrnn prepare`.") var data: String?
    @Option(name: .customLong("text"), help: "Or a raw text file, read as bytes over ASCII-128 (no validation split).")
    var textPath: String?
    @Option(name: .customLong("run"), help: "Run folder for config.json, metrics.csv and checkpoints (default: checkpoints/run-DATE-TIME).")
    var runFolder: String?
    @Option(help: "Continue the run in this folder from its latest checkpoint (--steps is the run's new total).")
    var resume: String?
    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every K steps (and always at the end and on SIGTERM/SIGINT).")
    var checkpointEvery = 500
    @Option(name: .customLong("checkpoint-minutes"), help: "Also write a checkpoint when M minutes have passed since the last one.")
    var checkpointMinutes: Double?
    @Option(name: .customLong("keep-checkpoints"), help: "Keep the newest K checkpoints in the run folder.")
    var keepCheckpoints = 3
    @Option(name: .customLong("pause-before-commit"), help: .hidden) var pauseBeforeCommit: Int?
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
    @Option(name: .customLong("kl-weight"), help: "Fixed weight beta of the KL term (the adaptive weight's start value).")
    var klWeight: Float?
    @Option(name: .customLong("kl-warmup"), help: "Raise the KL weight linearly from 0 over this many steps.") var klWarmup: Int?
    @Option(name: .customLong("free-nats"), help: "Free bits: KL below this many nats per latent dimension and step is not penalised.")
    var freeNats: Float?
    @Option(name: .customLong("kl-target"), help: "Adapt the KL weight w so that w*KL/reconstruction approaches this ratio.")
    var klTarget: Float?
    @Option(name: .customLong("kl-rate"), help: "How fast the adaptive KL weight moves per step (in log space).") var klRate: Float?
    @Option(name: .customLong("log-every"), help: "Print a progress line every K steps.") var logEvery = 10
    @Option(name: .customLong("valid-every"), help: "Measure the validation loss every K steps (and at the end).")
    var validEvery = 200
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Option(name: .customLong("check-every"), help: "Compare a checksum of the parameters across ranks every K steps.")
    var checkEvery = 100
    @Option(name: .customLong("dump-first-gradient"), help: .hidden) var dumpFirstGradient: String?

    func validate() throws {
        if data != nil && textPath != nil { throw ValidationError("--data and --text both give the data to train on; choose one") }
        if resume == nil && data == nil && textPath == nil { throw ValidationError("give the data to train on: --data DATASET.h5 or --text FILE") }
        if config != nil && model.preset != nil { throw ValidationError("--config and --preset both give a starting configuration; choose one") }
        if resume != nil && (config != nil || model.preset != nil || runFolder != nil) {
            throw ValidationError("--resume continues a run with its own configuration and folder; drop --config, --preset and --run")
        }
        if let checkpointMinutes, !(checkpointMinutes > 0) { throw ValidationError("--checkpoint-minutes must be positive (got \(checkpointMinutes))") }
        for (name, value) in [("--steps", steps), ("--global-batch", globalBatch), ("--window", window)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1 (got \(value))") }
        }
        for (name, value) in [("--log-every", logEvery), ("--valid-every", validEvery), ("--check-every", checkEvery),
                              ("--checkpoint-every", checkpointEvery), ("--keep-checkpoints", keepCheckpoints)] where value < 1 {
            throw ValidationError("\(name) must be at least 1 (got \(value))")
        }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr))") }
        if let clip, !(clip > 0) { throw ValidationError("--clip must be positive (got \(clip))") }
        for (name, value) in [("--beta1", beta1), ("--beta2", beta2)] {
            if let value, !(value >= 0 && value < 1) { throw ValidationError("\(name) must be in [0, 1) (got \(value))") }
        }
        if let eps, !(eps > 0) { throw ValidationError("--eps must be positive (got \(eps))") }
        if let klWeight, !(klWeight >= 0 && klWeight.isFinite) { throw ValidationError("--kl-weight must be 0 or more (got \(klWeight))") }
        if let klWarmup, klWarmup < 0 { throw ValidationError("--kl-warmup must be 0 or more steps (got \(klWarmup))") }
        if let freeNats, !(freeNats >= 0 && freeNats.isFinite) { throw ValidationError("--free-nats must be 0 or more (got \(freeNats))") }
        if let klTarget, !(klTarget > 0 && klTarget.isFinite) { throw ValidationError("--kl-target must be positive (got \(klTarget))") }
        if let klRate, !(klRate > 0 && klRate <= 1) { throw ValidationError("--kl-rate must be in (0, 1] (got \(klRate))") }
        if klTarget != nil, klWeight == 0 { throw ValidationError("the adaptive KL weight cannot start from --kl-weight 0; give a positive start") }
        if let weightDecay, !(weightDecay >= 0) { throw ValidationError("--weight-decay must be non-negative (got \(weightDecay))") }
    }

    /// The effective configuration: config file or preset, then every flag given. A preset's model
    /// (made for text) takes its input from the data: the vocabulary size for text, or real-valued
    /// frames of the data's width with the head the dataset suggests (the pen head for pen
    /// trajectories, with 5 mixture components) or a Gaussian, unless --head says otherwise.
    func runConfig(base: RunConfig?, rows: SequenceData, suggestedHead: ModelConfig.Head? = nil) -> RunConfig {
        var m = model.modelConfig(base: base?.model)
        switch rows.values {
        case .tokens(_, let vocabulary) where m.input == .categorical: m.inputSize = vocabulary
        case .frames(_, let d) where base == nil:
            m.input = .real
            m.inputSize = d
            m.head = model.head ?? suggestedHead ?? .gaussian
            if m.head == .pen && model.mixtures == nil { m.mixtures = max(m.mixtures, 5) }
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
        if let klWeight { t.kl.beta = klWeight }
        if let klWarmup { t.kl.warmupSteps = klWarmup }
        if let freeNats { t.kl.freeNats = freeNats }
        if let klTarget { t.kl.adaptiveTarget = klTarget }
        if let klRate { t.kl.adaptiveRate = klRate }
        return RunConfig(model: m, training: t, data: data ?? textPath ?? base?.data ?? "")
    }

    func run() throws {
        let world = MPICollective()
        defer { world.finalize() }
        let rank0 = world.rank == 0
        let stop = StopSignal()

        let session = try agreeing(world) { try Session(self, world) }
        let trainer = session.trainer, training = session.config.training, config = session.config.model

        let log = ProgressLog(total: training.steps, firstStep: trainer.step, tokensPerStep: training.globalBatch * training.window,
                              every: quiet || !rank0 ? nil : logEvery, text: config.input == .categorical)
        log.line("vrnn: \(BLASSetup.summary)")
        log.line("vrnn: \(world.size) rank\(world.size == 1 ? "" : "s"), \(training.globalBatch / world.size) streams each")
        log.line("vrnn: \(session.config.data): \(session.trainRows) training rows, "
                 + (session.validator.map { "\($0.characters) validation rows per pass" }
                    ?? session.validationSkipped.map { "validation skipped: \($0)" } ?? "no validation split"))
        log.line("vrnn: \(config.variant.rawValue) \(config.cell.rawValue) H=\(config.hidden) Z=\(config.latent), "
                 + "\(trainer.model.parameterCount) parameters, G=\(training.globalBatch) T=\(training.window), \(training.steps) steps")
        if config.hasLatent && training.kl != KLSchedule() { log.line("vrnn: \(training.kl.summary)") }
        for note in session.notes { log.line("vrnn: \(note)") }
        log.line("vrnn: run folder \(session.folder.path)")
        try checkParametersAgree(trainer, world)

        var last: StepMetrics?
        var lastCheckpoint = Date()
        var adaptiveHeldNoted = false
        while trainer.step < training.steps {
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
            if training.kl.adaptiveTarget != nil && config.hasLatent && !adaptiveHeldNoted
                && !KLSchedule.ratioDefined(kl: metrics.kl, reconstruction: metrics.reconstruction) {
                // Continuous densities can make -log p(x | z) negative, where w*KL/reconstruction means nothing.
                log.line(String(format: "vrnn: the adaptive KL weight holds at %.3g while w*KL/reconstruction is undefined "
                                + "(KL %.4f, reconstruction %.4f nats; both must be positive); use --kl-weight or --kl-warmup for such data",
                                Double(metrics.klWeight), metrics.kl, metrics.reconstruction))
                adaptiveHeldNoted = true
            }
            session.metrics?.append(metrics, charactersPerSecond: log.rate(at: metrics.step))
            last = metrics

            // A signal or a timer on any rank is every rank's decision (reduced, never local).
            let timerDue = checkpointMinutes.map { Date().timeIntervalSince(lastCheckpoint) >= $0 * 60 } ?? false
            let flags = world.allreduceMinMax([Double(stop.requested ?? 0), timerDue ? 1 : 0]).max
            let stopping = flags[0] != 0
            if stopping || flags[1] != 0 || metrics.step % checkpointEvery == 0 || metrics.step == training.steps {
                try saveCheckpoint(session, world, log: log)
                lastCheckpoint = Date()
            }
            if stopping {
                log.line("vrnn: stopped by \(StopSignal.name(Int32(flags[0]))) at step \(metrics.step) of \(training.steps); "
                         + "continue with: vrnn train --resume \(session.folder.path)")
                return
            }
        }
        if rank0, !quiet, let last {
            print(log.summary(last))
            print("vrnn: run folder \(session.folder.path): config.json, metrics.csv, checkpoint \(session.folder.checkpointPath(step: last.step))")
        }
    }

    /// Collective: gathers the streams' state, rank 0 writes the checkpoint and points `latest` at
    /// it, and a failure (disk full, permissions) stops every rank with one message.
    private func saveCheckpoint(_ session: Session, _ world: MPICollective, log: ProgressLog) throws {
        let trainer = session.trainer
        let streams = trainer.gatherStreamState()  // collective; the rest is rank 0's alone
        var failure: Error?
        if world.rank == 0 {
            let state = RunCheckpoint.capture(trainer, streams: streams, config: session.config, fingerprint: session.fingerprint,
                                              decoding: session.decoding, dataMetadata: session.dataMetadata,
                                              metrics: session.metrics?.history ?? [])
            let path = session.folder.checkpointPath(step: trainer.step)
            let start = Date()
            do {
                try state.write(to: path, beforeCommit: pauseBeforeCommit == trainer.step ? { Self.pause(path) } : nil)
                try session.folder.publish(path, keep: keepCheckpoints)
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                log.line(String(format: "vrnn: checkpoint %@ (%.1f MB, %.2f s)", path, Double(size) / 1e6, Date().timeIntervalSince(start)))
                // The loss curves beside it, from the history in memory (a failure costs only the picture).
                if let history = session.metrics?.history {
                    try? AtomicFile.write(Data(LossPlot.svg(columns: MetricsFile.columns, history: history).utf8), to: session.folder.lossesPath)
                }
            } catch {
                failure = error
            }
        }
        if let failing = world.firstFailingRank(failure != nil) {
            if world.rank == failing, let failure { report(UserError("cannot write the checkpoint: \(failure)"), world) }
            throw ExitCode.failure
        }
    }

    /// --pause-before-commit STEP (tests only): the checkpoint of STEP is fully written to its
    /// temporary file; say so with this process's pid and wait, so a test can kill -9 it here.
    private static func pause(_ path: String) {
        FileHandle.standardError.write(Data("vrnn: paused before committing \(path) (pid \(getpid()))\n".utf8))
        sleep(600)
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
/// Runs `body` on every rank; when it fails on any (a file visible on one node but not another),
/// the lowest failing rank reports and every rank leaves together.
func agreeing<T>(_ world: Collective, _ body: () throws -> T) throws -> T {
    let outcome = Result { try body() }
    if let failing = world.firstFailingRank((try? outcome.get()) == nil) {
        if world.rank == failing, case .failure(let error) = outcome { report(error, world) }
        throw ExitCode.failure
    }
    return try outcome.get()
}

func report(_ error: Error, _ world: Collective) {
    let rank = world.size > 1 ? "rank \(world.rank): " : ""
    FileHandle.standardError.write(Data("vrnn: error: \(rank)\(error)\n".utf8))
}
