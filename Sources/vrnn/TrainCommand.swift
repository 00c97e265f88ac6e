import ArgumentParser
import Foundation
import Training
import VRNN

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a VRNN on text (one process; MPI data parallelism arrives with the training issue).")

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
    @Flag(help: "Print only the final summary.") var quiet = false

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if let globalBatch, globalBatch < 1 { throw ValidationError("--global-batch must be at least 1 (got \(globalBatch))") }
        if let window, window < 1 { throw ValidationError("--window must be at least 1 (got \(window))") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr))") }
        if let clip, !(clip > 0) { throw ValidationError("--clip must be positive (got \(clip))") }
        if logEvery < 1 { throw ValidationError("--log-every must be at least 1 (got \(logEvery))") }
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
        let config = model.modelConfig()
        let training = trainingConfig()
        let text = try ASCIIText(path: textPath)
        let vrnn: VRNNModel
        do { vrnn = try VRNNModel(config) } catch { throw UserError("\(error)") }
        let trainer: Trainer
        do {
            trainer = try Trainer(model: vrnn, config: training, tokens: text.tokens, collective: SingleProcess())
        } catch { throw UserError("\(error)") }

        let log = ProgressLog(total: training.steps, tokensPerStep: training.globalBatch * training.window,
                              every: quiet ? nil : logEvery)
        log.line("vrnn: \(BLASSetup.summary)")
        log.line("vrnn: \(textPath): \(text.tokens.count) characters"
                 + (text.replaced > 0 ? ", \(text.replaced) outside ASCII replaced by '?'" : ""))
        log.line("vrnn: \(config.variant.rawValue) \(config.cell.rawValue) H=\(config.hidden) Z=\(config.latent), "
                 + "\(vrnn.parameterCount) parameters, G=\(training.globalBatch) T=\(training.window), \(training.steps) steps")
        var last: StepMetrics?
        for _ in 0..<training.steps {
            let metrics = trainer.trainStep()
            guard metrics.loss.isFinite else {
                throw UserError("the loss became \(metrics.loss) at step \(metrics.step); lower --lr or --clip")
            }
            log.report(metrics)
            last = metrics
        }
        if let last { print(log.summary(last)) }
    }
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
