import Foundation
import Storage
import Training
import VRNN

/// What a training run sets up before its first step, fresh or resumed from a run folder's
/// latest checkpoint, in two phases whose failures the caller agrees across ranks: `init`
/// (data, configuration, model, restored state), then, once the ranks have compared their
/// configurations, `openFolder` (rank 0 locks and writes the run folder).
final class TrainingSession {
    let config: RunConfig
    let trainer: Trainer
    let validator: Validator?
    let trainRows: Int
    let fingerprint: String
    /// Token id -> byte, or the normalisation to undo: saved in checkpoints for sampling.
    let decoding: DataDecoding
    /// The dataset's metadata JSON ("{}" for raw text), kept in checkpoints.
    let dataMetadata: String
    let folder: RunFolder
    /// Lines for the log: what a resume restored and changed.
    private(set) var notes: [String]
    private(set) var metrics: MetricsFile?    // rank 0 only, from openFolder
    /// Rank 0 holds the folder for the whole run (openFolder).
    private var lock: RunLock?
    private let resuming: Bool
    /// The checkpoint's metrics rows and loss curve (empty and nil for a fresh run).
    private let history: RestoredHistory
    /// The best validation the resumed checkpoint carries (nil for a new run).
    var restoredBest: BestValidation? { history.best }

    init(_ request: RunRequest, _ world: Collective) throws {
        var notes: [String] = []
        let checkpoint = try request.resume.map { try CheckpointReader(path: try RunFolder(path: $0).latestCheckpoint()) }
        let saved = try checkpoint.map(RunCheckpoint.config)
        let base: RunConfig? = try saved ?? request.configFile.map(Self.readConfig)

        let (train, valid, decoding, dataMetadata, dataPath, storedFingerprint) = try Self.loadData(request.data, savedPath: saved?.data)
        self.decoding = decoding
        self.dataMetadata = dataMetadata
        let metadata = DatasetMetadata(dataMetadata)
        var config = request.configure(base, train, DataHints(head: metadata.head, audio: metadata.sampleRate != nil))
        config.data = URL(fileURLWithPath: dataPath).standardizedFileURL.path   // absolute: a resume may start elsewhere
        var frames = false
        if case .frames = train.shape { frames = true }
        // A new run's schedule spans its --steps, and keeps that horizon when a resume changes them.
        if saved == nil { config.training.lrSchedule.horizon = config.training.lrSchedule.shape == .constant ? nil : config.training.steps }
        if saved == nil, request.fitStreams == .always || (request.fitStreams == .realValuedData && frames) {
            let fitted = config.training.fittingStreams(offsets: train.offsets, ranks: world.size)
            config.training = fitted.config
            if let note = fitted.note { notes.append(note) }
        }
        if let problem = config.validationError() { throw UserError(problem) }
        let fingerprint = try storedFingerprint ?? train.fingerprint()   // stored by `vrnn prepare` since dataset format 2
        self.fingerprint = fingerprint
        if let saved, let checkpoint {
            try Self.checkCompatible(saved: saved, resumed: config, checkpoint: checkpoint, fingerprint: fingerprint)
            // Before 0.7, whole sequences were dealt to the streams; the streams' saved positions
            // mean other rows now, except for one sequence (text), which was cut alike.
            if train.offsets.count > 2 && VRNNVersion.isBefore(checkpoint.codeVersion, "0.7.0") {
                throw UserError("\(checkpoint.file.path) was written by vrnn \(checkpoint.codeVersion), which dealt whole sequences to the "
                                + "streams; this version cuts the data into G equal parts, so its streams' positions do not carry over; "
                                + "start a new run on this data, or finish this one with vrnn \(checkpoint.codeVersion)")
            }
            notes.append("resuming \(request.resume!) from step \(checkpoint.step) (\(checkpoint.file.path), written by vrnn \(checkpoint.codeVersion))")
            notes += (configDifferences(saved.training, config.training, under: "training")
                      + configDifferences(saved.control, config.control, under: "control")).map { "resume changes \($0)" }
            if config.data != saved.data { notes.append("resume reads \(config.data) (was \(saved.data)), the same data") }
            if let horizon = config.training.lrSchedule.horizon, saved.training.steps != config.training.steps {
                notes.append("the learning-rate schedule keeps its horizon of \(horizon) steps (the run's first --steps); "
                             + "steps past it stay at its end")
            }
        }
        self.config = config

        let model = try VRNNModel(config.model)
        // The trainer's and the validator's workspaces, parameters, gradient and Adam's moments.
        let local = config.training.globalBatch / max(world.size, 1)
        try MemoryBudget.check(floats: WindowWorkspace.floatsNeeded(model, batch: local, steps: config.training.window,
                                                                    dropout: config.training.dropout > 0)
                                   + WindowWorkspace.floatsNeeded(model, batch: local, steps: config.training.window)
                                   + 4 * Double(model.parameterCount),
                               for: "training this model (\(model.parameterCount) parameters, \(local) streams of \(config.training.window) steps)",
                               lower: "--hidden, --features, --latent, --global-batch or --window, or spread the streams over more ranks")
        let trainer = try Trainer(model: model, config: config.training, data: train, collective: world)
        self.trainer = trainer
        let readStart = Date()
        // A KL weight given anew replaces the checkpoint's (the adaptive weight's state included).
        let newBeta = saved.flatMap { $0.training.kl.beta != config.training.kl.beta ? config.training.kl.beta : nil }
        let history = try checkpoint.map { try RunCheckpoint.restore(trainer, from: $0, klBase: newBeta) } ?? RestoredHistory()
        if checkpoint != nil { notes.append(String(format: "checkpoint state read in %.2f s", Date().timeIntervalSince(readStart))) }
        if let checkpoint, config.training.steps <= checkpoint.step {
            throw UserError("the run is already at step \(checkpoint.step) of \(config.training.steps); give a larger --steps to continue it")
        }
        if let problem = valid?.mismatch(with: config.model) { throw UserError("the validation split: \(problem)") }
        if valid == nil, let patience = config.control.earlyStop {
            throw UserError("--early-stop \(patience) needs a validation split, and \(config.data) has none; "
                            + "prepare the data with a validation split (vrnn prepare ... --valid-fraction) or drop --early-stop")
        }
        validator = valid.map { Validator(model: model, data: $0, config: config.training, windowBudget: config.control.validWindows,
                                          collective: world) }
        trainRows = train.rowCount
        folder = RunFolder(path: request.resume ?? request.folder ?? Self.defaultFolder())
        resuming = checkpoint != nil
        self.history = history
        self.notes = notes
    }

    /// Rank 0 locks the run folder (creating it for a new run) before anything in it is checked,
    /// removed or written, then writes config.json and metrics.csv.
    func openFolder(_ world: Collective) throws {
        guard world.rank == 0 else { return }
        if !resuming { try Self.createFolder(folder) }
        let lock = try RunLock(folder)
        if let stale = lock.takenOverFrom {
            notes.append("took over the run folder's lock from \(RunLock.describe(stale)), a job that ended without releasing it")
        }
        if !resuming {
            if FileManager.default.fileExists(atPath: folder.configPath) {
                throw UserError("\(folder.path) already holds a run (config.json); choose another --run folder, or continue it with --resume \(folder.path)")
            }
        } else {
            for name in folder.removeAbandonedTemporaries() { notes.append("removed \(name), left by an interrupted write") }
            if let best = restoredBest { try folder.pointBest(atStep: best.step) }
        }
        try Self.writeConfig(config, to: folder.configPath)
        metrics = try MetricsFile(path: folder.metricsPath, resumingAt: resuming ? trainer.step : nil,
                                  checkpointRows: history.rows, curve: history.curve)
        if let missing = metrics?.missingSteps {
            notes.append("metrics.csv has no rows for steps \(missing.lowerBound)-\(missing.upperBound), lost before this resume; the file and curves go on without them")
        }
        self.lock = lock
    }

    /// Refuses a resume that would not continue the same run: another model shape, another G,
    /// or other data. Everything else (steps, learning rate, ...) may change and is logged.
    static func checkCompatible(saved: RunConfig, resumed: RunConfig, checkpoint: CheckpointReader, fingerprint: String) throws {
        let modelChanges = configDifferences(saved.model, resumed.model, under: "model")
        guard modelChanges.isEmpty else {
            throw UserError("cannot resume: the model would differ from the checkpoint's (\(modelChanges.joined(separator: "; "))); "
                            + "drop the model flags, or start a new run")
        }
        guard saved.training.globalBatch == resumed.training.globalBatch else {
            throw UserError("cannot resume: --global-batch \(resumed.training.globalBatch) differs from the checkpoint's G = "
                            + "\(saved.training.globalBatch); the streams' state is per global stream, so G must stay")
        }
        guard fingerprint == checkpoint.dataFingerprint else {
            throw UserError("cannot resume: the training data (\(fingerprint)) is not the data of the checkpoint "
                            + "(\(checkpoint.dataFingerprint)); give the run's dataset with --data")
        }
    }

    /// The training data and the validation split, from the request's source, or on resume the
    /// run's own data file; and the path read.
    static func loadData(_ source: RunRequest.DataSource?, savedPath: String?) throws
        -> (SequenceData, SequenceData?, DataDecoding, metadata: String, path: String, fingerprint: String?) {
        // On resume without a source: the run's own file, a dataset when it is HDF5 (or missing:
        // the dataset reader then says so), else raw text.
        if source == nil, let savedPath, !FileManager.default.fileExists(atPath: savedPath) {
            throw UserError("the run's data \(savedPath) is not there (moved or deleted?); give it with --data (or --text for raw text)")
        }
        let resolved = source ?? savedPath.map { HDF5File.isHDF5($0) ? .dataset($0) : .text($0) }
        switch resolved {
        case nil: throw UserError("give the data to train on: --data DATASET.h5 or --text FILE")
        case .text(let path):
            let text = try EncodedText(bytes: try EncodedText.read(path), vocabulary: EncodedText.ascii, source: path)
            return (SequenceData(.tokens(text.tokens, vocabulary: text.vocabulary.count)), nil, .vocabulary(text.vocabulary), "{}", path, nil)
        case .dataset(let path):
            // The file stays open and each window is read from it: nothing here grows with the data.
            let dataset = try StoredDataset(readingAt: path)
            let decoding: DataDecoding
            switch dataset.kind {
            case .tokens(let vocabulary): decoding = .vocabulary(vocabulary)
            case .frames(_, let mean, let std): decoding = .statistics(mean: mean, std: std)
            }
            return (SequenceData(dataset, sequences: dataset.train),
                    dataset.valid.isEmpty ? nil : SequenceData(dataset, sequences: dataset.valid), decoding, dataset.metadata, path,
                    dataset.trainFingerprint)
        }
    }

    static func readConfig(_ path: String) throws -> RunConfig {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw UserError("\(path): cannot read the config file") }
        do { return try JSONDecoder().decode(RunConfig.self, from: bytes) } catch {
            throw UserError("\(path): not a vrnn run config (\(error)); start from a run's config.json")
        }
    }

    static func defaultFolder() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "checkpoints/run-" + formatter.string(from: Date())
    }

    /// Creates the folder of a new run (and its parents) when it does not exist yet.
    static func createFolder(_ folder: RunFolder) throws {
        do { try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true) } catch {
            throw UserError("\(folder.path): cannot create the run folder (\(error.localizedDescription))")
        }
    }

    static func writeConfig(_ config: RunConfig, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(config), to: path)
    }
}
