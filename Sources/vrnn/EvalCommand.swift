import ArgumentParser
import Cluster
import Foundation
import Kernels
import Storage
import Training
import VRNN

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a trained model on a dataset split: negative ELBO and importance-sampled likelihood (mpirun -np N vrnn eval ...).",
        discussion: """
            Each sequence (or segment, with --segment L; text defaults to segments of the training window) is read \
            from a zero state. The negative ELBO uses the analytic KL and is averaged over the K posterior paths; \
            -log p(x) is the importance-sampled estimate with the encoder as proposal, logsumexp_k log w_k - log K, \
            which tightens towards the true likelihood as K grows. Figures are per step and per sequence, in nats \
            (and bits per character for text). --posterior-mean sets z = mu_q for a deterministic reconstruction.
            """)

    @Option(help: "A checkpoint file, or a run folder (its latest checkpoint).") var checkpoint: String
    @Option(help: "Dataset made by `vrnn prepare` (the one the model was trained on, or one prepared the same way).") var data: String
    @Option(help: "valid or train.") var split: Split = .valid
    @Option(name: .customLong("importance-samples"), help: "K: posterior samples per sequence for the likelihood estimate.")
    var importanceSamples = 10
    @Flag(name: .customLong("posterior-mean"), help: "z = mu_q, no noise: a deterministic reconstruction and ELBO (no likelihood estimate).")
    var posteriorMean = false
    @Option(help: "Cut sequences into segments of at most L steps, each read from a zero state (default: whole sequences; text: the training window).")
    var segment: Int?
    @Option(help: "Seed of the posterior samples.") var seed: UInt64 = 1
    @Flag(help: "Print nothing but the results.") var quiet = false

    enum Split: String, ExpressibleByArgument { case valid, train }

    func validate() throws {
        guard importanceSamples >= 1 else { throw ValidationError("--importance-samples must be at least 1 (got \(importanceSamples))") }
        if let segment, segment < 1 { throw ValidationError("--segment must be at least 1 (got \(segment))") }
    }

    func run() throws {
        let world = MPICollective()
        defer { world.finalize() }
        let rank0 = world.rank == 0
        let (loaded, evaluator, isText) = try agreeing(world) { try prepare() }
        let started = Date()
        var lastReport = started
        let progress: ((Int, Int) -> Void)? = quiet || !rank0 ? nil : { done, total in
            let now = Date(), elapsed = now.timeIntervalSince(started)
            guard now.timeIntervalSince(lastReport) > 5, done < total else { return }
            lastReport = now
            let eta = elapsed / Double(done) * Double(total - done)
            FileHandle.standardError.write(Data(String(format: "vrnn eval: %d/%d segments on rank 0, %.0f s, ETA %.0f s\n",
                                                       done, total, elapsed, eta).utf8))
        }
        let totals = evaluator.run(collective: world, progress: progress, parameters: FloatBuffer(loaded.parameters))
        guard rank0 else { return }
        let perStep = { (v: Double) in v / max(totals.steps, 1) }, perSequence = { (v: Double) in v / max(totals.segments, 1) }
        let unit = isText ? "char" : "step"
        func bits(_ v: Double) -> String { isText ? String(format: "  (%.4f bits/char)", perStep(v) / log(2)) : "" }
        print("vrnn eval: \(loaded.path) (step \(loaded.reader.step)) on the \(split.rawValue) split of \(data): "
              + "\(Int(totals.segments)) \(segment == nil && !isText ? "sequences" : "segments"), \(Int(totals.steps)) steps, "
              + "\(world.size) rank\(world.size == 1 ? "" : "s"), \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        print(String(format: "negative ELBO      %.4f nats/%@  %.3f nats/sequence", perStep(totals.negativeELBO), unit,
                     perSequence(totals.negativeELBO)) + bits(totals.negativeELBO))
        print(String(format: "  reconstruction   %.4f nats/%@,  KL %.4f nats/%@", perStep(totals.reconstruction), unit, perStep(totals.kl), unit))
        if posteriorMean {
            print("(z = mu_q: no likelihood estimate)")
        } else {
            print(String(format: "-log p(x), K = %d  %.4f nats/%@  %.3f nats/sequence", evaluator.samples, perStep(totals.negativeLogLikelihood),
                         unit, perSequence(totals.negativeLogLikelihood)) + bits(totals.negativeLogLikelihood))
        }
    }

    /// The checkpoint, the split and the evaluator; refuses data the model was not trained on.
    func prepare() throws -> (LoadedCheckpoint, Evaluator, Bool) {
        let loaded = try LoadedCheckpoint(checkpoint)
        let dataset = try SequenceDataset(readingAt: data)
        let range = split == .valid ? dataset.valid : dataset.train
        guard !range.isEmpty else { throw UserError("\(data) has no \(split.rawValue) split; use --split train") }
        let rows = SequenceData(dataset.slice(range))
        if let problem = rows.mismatch(with: loaded.model.config) { throw UserError("\(data): \(problem)") }
        let isText = try loaded.checkEncoding(of: dataset, path: data)
        let training = loaded.config.training
        let evaluator = Evaluator(model: loaded.model, data: rows, segmentLength: segment ?? (isText ? training.window : nil),
                                  window: training.window, importanceSamples: importanceSamples, posteriorMean: posteriorMean, seed: seed)
        return (loaded, evaluator, isText)
    }
}
