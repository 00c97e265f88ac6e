import Foundation
import Kernels
import Storage
import Training
import VRNN

/// `vrnn eval`: a trained model measured on a dataset split, on every rank (segments dealt
/// round-robin, sums reduced). The report is rank 0's.
public struct Evaluation {
    public enum Split: String, CaseIterable, Sendable { case valid, train }

    public struct Request {
        public var checkpoint: String
        public var data: String
        public var split: Split = .valid
        public var importanceSamples = 10
        /// z = mu_q, no noise: a deterministic reconstruction and ELBO (no likelihood estimate).
        public var posteriorMean = false
        /// Segments of at most this many steps, each from a zero state (nil: whole sequences; text: the training window).
        public var segment: Int?
        public var seed: UInt64 = 1
        /// Progress lines with ETA on rank 0.
        public var progress = true

        public init(checkpoint: String, data: String) { self.checkpoint = checkpoint; self.data = data }
    }

    let request: Request
    let world: Collective
    let loaded: LoadedCheckpoint
    let evaluator: Evaluator
    let isText: Bool

    /// Opens the checkpoint and the split on every rank; refuses data the model was not trained on.
    public init(_ request: Request, collective world: Collective) throws {
        self.request = request
        self.world = world
        try KernelPath.agree(world)
        (loaded, evaluator, isText) = try agreeing(world) {
            let loaded = try LoadedCheckpoint(request.checkpoint)
            // The split is read from the file segment by segment, never whole.
            let dataset = try StoredDataset(readingAt: request.data)
            let range = request.split == .valid ? dataset.valid : dataset.train
            guard !range.isEmpty else { throw UserError("\(request.data) has no \(request.split.rawValue) split; use --split train") }
            let rows = SequenceData(dataset, sequences: range)
            if let problem = rows.mismatch(with: loaded.model.config) { throw UserError("\(request.data): \(problem)") }
            let isText = try loaded.checkEncoding(of: dataset.kind, path: request.data)
            let training = loaded.config.training
            let evaluator = Evaluator(model: loaded.model, data: rows, segmentLength: request.segment ?? (isText ? training.window : nil),
                                      window: training.window, importanceSamples: request.importanceSamples,
                                      posteriorMean: request.posteriorMean, seed: request.seed)
            let largest = evaluator.largestWindow
            try MemoryBudget.check(floats: WindowWorkspace.floatsNeeded(loaded.model, batch: largest.batch, steps: largest.steps),
                                   for: "evaluating \(largest.batch) paths of \(largest.steps) steps at once", lower: "--importance-samples or --segment")
            return (loaded, evaluator, isText)
        }
    }

    /// Evaluates (collective); returns the report's lines on rank 0 and none elsewhere. A rank
    /// that could not read its segments (a damaged file) stops every rank, saying why.
    public func run() throws -> [String] {
        world.context.activity = "evaluating \(request.checkpoint)"
        let started = Date()
        var lastReport = started
        let progress: ((Int, Int) -> Void)? = !request.progress || world.rank != 0 ? nil : { done, total in
            let now = Date(), elapsed = now.timeIntervalSince(started)
            guard now.timeIntervalSince(lastReport) > 5, done < total else { return }
            lastReport = now
            let eta = elapsed / Double(done) * Double(total - done)
            FileHandle.standardError.writeMessage(String(format: "vrnn eval: %d/%d segments on rank 0, %.0f s, ETA %.0f s\n",
                                                         done, total, elapsed, eta))
        }
        let totals = evaluator.run(collective: world, progress: progress, parameters: FloatBuffer(loaded.parameters))
        if let failing = world.firstFailingRank(evaluator.failure != nil) {
            throw reportedFailure(evaluator.failure ?? UserError("the data could not be read"), from: failing, world)
        }
        guard world.rank == 0 else { return [] }
        let perStep = { (v: Double) in v / max(totals.steps, 1) }, perSequence = { (v: Double) in v / max(totals.segments, 1) }
        let unit = isText ? "char" : "step"
        func bits(_ v: Double) -> String { isText ? String(format: "  (%.4f bits/char)", perStep(v) / log(2)) : "" }
        var lines = ["vrnn eval: \(loaded.path) (step \(loaded.reader.step)) on the \(request.split.rawValue) split of \(request.data): "
            + "\(Int(totals.segments)) \(request.segment == nil && !isText ? "sequences" : "segments"), \(Int(totals.steps)) steps, "
            + "\(world.size) rank\(world.size == 1 ? "" : "s"), \(String(format: "%.1f", Date().timeIntervalSince(started))) s"]
        lines.append(String(format: "negative ELBO      %.4f nats/%@  %.3f nats/sequence", perStep(totals.negativeELBO), unit,
                            perSequence(totals.negativeELBO)) + bits(totals.negativeELBO))
        lines.append(String(format: "  reconstruction   %.4f nats/%@,  KL %.4f nats/%@", perStep(totals.reconstruction), unit, perStep(totals.kl), unit))
        if request.posteriorMean {
            lines.append("(z = mu_q: no likelihood estimate)")
        } else {
            lines.append(String(format: "-log p(x), K = %d  %.4f nats/%@  %.3f nats/sequence", evaluator.samples,
                                perStep(totals.negativeLogLikelihood), unit, perSequence(totals.negativeLogLikelihood))
                         + bits(totals.negativeLogLikelihood))
        }
        return lines
    }
}
