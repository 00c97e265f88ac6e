import Drawing
import Foundation
import Kernels
import Storage
import Training
import VRNN

/// A training run from its first (or resumed) step to its last: progress lines, validation,
/// metrics.csv, checkpoints on schedule, on a timer and on a stop signal, and the cross-rank
/// checks. Every rank runs it; every decision is reduced over ranks (ARCHITECTURE §3).
public final class TrainingRun {
    public let request: RunRequest
    let world: Collective
    let session: TrainingSession
    let log: ProgressLog
    let stop = StopSignal()

    /// The run's configuration after presets, config files, flags and the data were applied.
    public var config: RunConfig { session.config }
    public var folder: RunFolder { session.folder }
    public var trainer: Trainer { session.trainer }

    /// Sets the run up on every rank (fresh, or from the latest checkpoint of `request.resume`);
    /// a failure on any rank is reported once and every rank throws `ReportedFailure`.
    public init(_ request: RunRequest, collective world: Collective) throws {
        self.request = request
        self.world = world
        try KernelPath.agree(world)
        let session = try agreeing(world) { try TrainingSession(request, world) }
        try ConfigurationAgreement.check(session.config, fingerprint: session.fingerprint, world)
        try agreeing(world) { try session.openFolder(world) }
        self.session = session
        let training = session.config.training
        log = ProgressLog(total: training.steps, firstStep: session.trainer.step, tokensPerStep: training.globalBatch * training.window,
                          every: world.rank == 0 && !request.quiet ? session.config.control.logEvery : nil,
                          text: session.config.model.input == .categorical)
    }

    /// Trains to the configured step count, or until a stop signal (then a checkpoint is written
    /// and it returns normally). Throws `ReportedFailure` after a reported failure.
    public func train() throws {
        let trainer = session.trainer, training = session.config.training, config = session.config.model
        let control = session.config.control
        let rank0 = world.rank == 0
        log.line("vrnn: \(BLASSetup.summary); \(KernelPath.summary)")
        log.line("vrnn: \(world.size) rank\(world.size == 1 ? "" : "s"), \(training.globalBatch / world.size) streams each")
        log.line("vrnn: \(session.config.data): \(session.trainRows) training rows, "
                 + (session.validator?.summary ?? "no validation split"))
        log.line("vrnn: \(config.variant.rawValue) \(config.cell.rawValue) H=\(config.hidden) Z=\(config.latent)\(config.residualPosterior ? " (residual q)" : ""), \(config.headSummary), "
                 + "\(trainer.model.parameterCount) parameters, G=\(training.globalBatch) T=\(training.window), \(training.steps) steps")
        log.line("vrnn: \(training.optimiserSummary)")
        if config.hasLatent && training.kl != KLSchedule() { log.line("vrnn: \(training.kl.summary)") }
        for note in session.notes { log.line("vrnn: \(note)") }
        log.line("vrnn: run folder \(session.folder.path)")
        try checkParametersAgree()

        world.context.recovery = "resume from the run's latest checkpoint on the hosts that remain with vrnn train --resume \(session.folder.path)"
        var last: StepMetrics?
        var best = session.restoredBest
        var lastCheckpoint = Date()
        var adaptiveHeldNoted = false
        var skipsInARow = 0
        while trainer.step < training.steps {
            world.context.activity = "step \(trainer.step + 1)"
            var metrics = trainer.trainStep(inspectGradient: trainer.step == 0 ? dumpGradient(rank0) : nil)
            // The checked values are reduced over ranks, so every rank takes these branches together.
            if let what = metrics.nonFinite {
                // A window that could not be read (a damaged file) is not skipped: the run stops, and
                // the rank that failed says why.
                if let failing = world.firstFailingRank(trainer.dataFailure != nil) {
                    throw reportedFailure(trainer.dataFailure ?? UserError("the training data could not be read"), from: failing, world)
                }
                skipsInARow += 1
                guard !metrics.applied, control.onNonFinite == .skip, skipsInARow <= control.maxSkips else {
                    throw reportedFailure(UserError(nonFiniteMessage(what, metrics, skipsInARow: skipsInARow)), world)
                }
                log.line("vrnn: step \(metrics.step): the \(what) was not finite; its update was skipped (\(skipsInARow) in a row, "
                         + "at most \(control.maxSkips))")
            } else {
                skipsInARow = 0
            }
            if metrics.step % control.checkEvery == 0 { try checkParametersAgree() }
            if let validator = session.validator, metrics.step % control.validEvery == 0 || metrics.step == training.steps {
                let sums = validator.run(parameters: trainer.parameters, collective: world)
                if let failing = world.firstFailingRank(validator.failure != nil) {
                    throw reportedFailure(validator.failure ?? UserError("the validation data could not be read"), from: failing, world)
                }
                metrics.validLoss = (sums.reconstruction + sums.kl) / Double(validator.characters)
            }
            // The validation loss is reduced over ranks, so every rank finds the same best.
            var newBest = false
            if let loss = metrics.validLoss { (best, newBest) = BestValidation.after(best, step: metrics.step, loss: loss) }
            // Judged at validations only: a resumed run that had run out of patience trains on to its next one.
            let patienceOut = metrics.validLoss != nil && (control.earlyStop.map { (best?.validationsSince ?? 0) >= $0 } ?? false)
            log.report(metrics)
            if training.kl.adaptiveTarget != nil && config.hasLatent && !adaptiveHeldNoted
                && !KLSchedule.ratioDefined(kl: metrics.kl, reconstruction: metrics.reconstruction) {
                // Continuous densities can make -log p(x | z) negative, where w*KL/reconstruction means nothing.
                log.line(String(format: "vrnn: the adaptive KL weight holds at %.3g while w*KL/reconstruction is undefined "
                                + "(KL %.4f, reconstruction %.4f nats; both must be positive); use --kl-weight or --kl-warmup for such data",
                                Double(metrics.klWeight), metrics.kl, metrics.reconstruction))
                adaptiveHeldNoted = true
            }
            var metricsFailure: Error?
            do { try session.metrics?.append(metrics, charactersPerSecond: log.rate(at: metrics.step)) } catch { metricsFailure = error }
            last = metrics

            // A signal or a timer on any rank, or rank 0's failed metrics write, is every rank's
            // decision (reduced, never local).
            let timerDue = control.checkpointMinutes.map { Date().timeIntervalSince(lastCheckpoint) >= $0 * 60 } ?? false
            let flags = world.allreduceMinMax([Double(stop.requested ?? 0), timerDue ? 1 : 0, metricsFailure == nil ? 0 : 1]).max
            if flags[2] != 0 { throw reportedFailure(metricsFailure ?? UserError("metrics.csv could not be written"), world) }
            let stopping = flags[0] != 0
            if stopping || patienceOut || newBest || flags[1] != 0 || metrics.step % control.checkpointEvery == 0 || metrics.step == training.steps {
                try saveCheckpoint(best: best, isBest: newBest)
                lastCheckpoint = Date()
            }
            if let best, patienceOut, !stopping {
                log.line(String(format: "vrnn: early stop at step %d: %d validations without improving on %.4f nats at step %d; "
                                + "best checkpoint %@ (use %@:best)", metrics.step, best.validationsSince, best.loss, best.step,
                                session.folder.checkpointPath(step: best.step), session.folder.path))
                break
            }
            if stopping {
                log.line("vrnn: stopped by \(StopSignal.name(Int32(flags[0]))) at step \(metrics.step) of \(training.steps); "
                         + "continue with: vrnn train --resume \(session.folder.path)")
                return
            }
        }
        // The largest peak resident memory of any rank (collective: every rank reaches here).
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peak = world.allreduceMinMax([Double(usage.ru_maxrss) / 1024]).max[0]   // ru_maxrss is in KiB
        if let last {
            log.line(log.summary(last))
            log.line(String(format: "vrnn: peak memory %.0f MB per rank (the largest of %d)", peak, world.size))
            log.line("vrnn: run folder \(session.folder.path): config.json, metrics.csv, checkpoint \(session.folder.checkpointPath(step: last.step))")
            if let best {
                log.line(String(format: "vrnn: best validation %.4f nats at step %d: %@ (vrnn eval/sample/export take %@:best)",
                                best.loss, best.step, session.folder.checkpointPath(step: best.step), session.folder.path))
            }
        }
    }

    /// Why the run stops at a non-finite step, what was kept, and what to change.
    private func nonFiniteMessage(_ what: String, _ metrics: StepMetrics, skipsInARow: Int) -> String {
        let kept = (try? session.folder.latestCheckpoint()).map { "the last checkpoint, \($0), is intact" } ?? "no checkpoint was written yet"
        if !metrics.applied && skipsInARow > 1 {
            return "the \(what) was not finite at step \(metrics.step), the \(skipsInARow)th step in a row (--max-skips \(session.config.control.maxSkips)); "
                + "nothing of it was applied or saved and \(kept); lower --lr or raise --max-skips"
        }
        if !metrics.applied {
            return "the \(what) became \(what == "gradient norm" ? "\(metrics.gradientNorm)" : what == "loss" ? "\(metrics.loss)" : "not finite") "
                + "at step \(metrics.step); nothing of that step was applied or saved and \(kept); "
                + "lower --lr, raise --sigma-min, or pass --on-nonfinite skip to drop such steps"
        }
        return "the parameters became non-finite in the update of step \(metrics.step) (is --lr too large?); nothing of it was saved "
            + "and \(kept); lower --lr"
    }

    /// Collective: gathers the streams' state, rank 0 writes the checkpoint and points `latest` at
    /// it, and a failure (disk full, permissions) stops every rank with one message.
    /// `best` is the run's best validation so far, and `isBest` whether this step set it.
    private func saveCheckpoint(best: BestValidation?, isBest: Bool) throws {
        let trainer = session.trainer
        let streams = trainer.gatherStreamState()  // collective; the rest is rank 0's alone
        var failure: Error?
        if world.rank == 0 {
            let state = RunCheckpoint.capture(trainer, streams: streams, config: session.config, fingerprint: session.fingerprint,
                                              decoding: session.decoding, dataMetadata: session.dataMetadata,
                                              metrics: session.metrics?.checkpointRows ?? [], curve: session.metrics?.curve, best: best)
            let path = session.folder.checkpointPath(step: trainer.step)
            let start = Date()
            do {
                try state.write(to: path, beforeCommit: request.pauseBeforeCommit == trainer.step ? { Self.pause(path) } : nil)
                try session.folder.publish(path, keep: session.config.control.keepCheckpoints, best: isBest, bestStep: best?.step)
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                log.line(String(format: "vrnn: checkpoint %@ (%.1f MB, %.2f s)", path, Double(size) / 1e6, Date().timeIntervalSince(start)))
                // The loss curves beside it, from the history in memory (a failure costs only the picture).
                if let rows = session.metrics?.plottedRows {
                    try? AtomicFile.write(Data(LossPlot.svg(columns: MetricsFile.columns, history: rows).utf8), to: session.folder.lossesPath)
                }
            } catch {
                failure = error
            }
        }
        if let failing = world.firstFailingRank(failure != nil) {
            throw reportedFailure(UserError("cannot write the checkpoint: \(failure.map { "\($0)" } ?? "")"), from: failing, world)
        }
    }

    /// The checkpoint of a step is fully written to its temporary file: say so with this
    /// process's pid and wait, so a test can kill -9 it here.
    private static func pause(_ path: String) {
        FileHandle.standardError.writeMessage("vrnn: paused before committing \(path) (pid \(getpid()))\n")
        sleep(600)
    }

    /// Ends the run, with one message from rank 0, if any rank's parameters differ from another's.
    private func checkParametersAgree() throws {
        let (low, high) = world.allreduceMinMax(session.trainer.parameterChecksum())
        guard low != high else { return }
        throw reportedFailure(UserError("the ranks' parameters differ at step \(session.trainer.step) (checksum \(low) vs \(high)); "
                                        + "every rank must run the same vrnn build on the same data"), world)
    }

    /// With `dumpFirstGradient`, rank 0 writes the first step's summed gradient as raw float32.
    private func dumpGradient(_ rank0: Bool) -> ((FloatBuffer) -> Void)? {
        guard let path = request.dumpFirstGradient, rank0 else { return nil }
        return { gradient in
            let data = Data(bytes: gradient.pointer, count: gradient.count * MemoryLayout<Float>.size)
            _ = FileManager.default.createFile(atPath: path, contents: data)
        }
    }
}
