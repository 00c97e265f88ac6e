import Foundation
import Kernels
import VRNN

/// Sums of an evaluation over every segment of a split and every rank (nats).
public struct EvaluationTotals: Sendable, Equatable {
    public var steps = 0.0
    public var segments = 0.0
    /// sum over segments of the mean over samples of -(ELBO) = reconstruction + KL
    public var negativeELBO = 0.0
    public var reconstruction = 0.0
    public var kl = 0.0
    /// sum over segments of -log p_hat(x) = -(logsumexp_k log w_k - log K)
    public var negativeLogLikelihood = 0.0
}

/// The evaluation of a trained model on one split (ARCHITECTURE §1 `vrnn eval`): each sequence,
/// or each segment of at most `segmentLength` steps, is read from a zero state by K streams that
/// draw independent latent paths from the posterior (the encoder; z = mu_q and K = 1 with
/// `posteriorMean`). Per segment it gives the negative ELBO (analytic KL, averaged over the K
/// paths) and the importance-sampled likelihood with the posterior as proposal:
///     log p(x) ~ logsumexp_k [ sum_t log p(x_t | z_t, h) + log p(z_t | h) - log q(z_t | x_t, h) ] - log K.
/// Segments are dealt round-robin to the ranks and the sums reduced, so the figures do not
/// depend on the rank count; several segments share one workspace of about `streams` rows.
public final class Evaluator {
    let data: SequenceData
    let model: VRNNModel
    public let samples: Int
    let posteriorMean: Bool
    let seed: UInt64
    /// (first row, length) of every segment, in order.
    public let segments: [(start: Int, length: Int)]
    /// Why this rank could not read its data during `run`, if it could not (the run still reduces
    /// its sums, so no rank waits on it; its figures are then meaningless).
    public private(set) var failure: Error?
    let window: Int
    let segmentsPerBatch: Int

    public init(model: VRNNModel, data: SequenceData, segmentLength: Int?, window: Int, importanceSamples: Int,
                posteriorMean: Bool, seed: UInt64, streams: Int = 64) {
        self.model = model
        self.data = data
        samples = posteriorMean || !model.config.hasLatent ? 1 : importanceSamples
        self.posteriorMean = posteriorMean
        self.seed = seed
        var segments: [(Int, Int)] = []
        for s in 0..<data.offsets.count - 1 {
            let start = data.offsets[s], end = data.offsets[s + 1], step = segmentLength ?? max(end - start, 1)
            for first in stride(from: start, to: end, by: step) { segments.append((first, min(step, end - first))) }
        }
        self.segments = segments
        let longest = segments.map(\.1).max() ?? 1
        self.window = min(window, longest)
        segmentsPerBatch = max(1, streams / samples)
    }

    /// The largest workspace `run` allocates: (rows of streams, time steps).
    public var largestWindow: (batch: Int, steps: Int) { (segmentsPerBatch * samples, window) }

    /// Evaluates this rank's segments (every `ranks`-th from `rank`) and reduces the totals.
    /// `progress` is called on this rank after each batch with (segments done, segments of this rank).
    public func run(collective: Collective, progress: ((Int, Int) -> Void)? = nil, parameters: FloatBuffer) -> EvaluationTotals {
        let mine = Array(stride(from: collective.rank, to: segments.count, by: collective.size))
        let k = samples, batchSegments = min(segmentsPerBatch, max(mine.count, 1))
        let workspace = WindowWorkspace(model: model, batch: batchSegments * k, steps: window)
        var totals = EvaluationTotals()
        var rows = [Int](repeating: 0, count: workspace.rows)
        for first in stride(from: 0, to: mine.count, by: batchSegments) {
            let group = Array(mine[first..<min(first + batchSegments, mine.count)])
            let longest = group.map { segments[$0].length }.max()!
            // Per stream b = p * K + k: the summed ELBO terms and log weight of its path.
            var reconstruction = [Double](repeating: 0, count: workspace.batch), kl = reconstruction, logWeight = reconstruction
            workspace.initialH.zero()
            workspace.initialC.zero()
            for (chunk, t0) in stride(from: 0, to: longest, by: window).enumerated() {
                for t in 0..<window {
                    for b in 0..<workspace.batch {
                        let segment = segments[group[min(b / k, group.count - 1)]]
                        // Rows past a segment's end repeat its last row; their results are ignored.
                        rows[t * workspace.batch + b] = segment.start + min(t0 + t, segment.length - 1)
                        workspace.reset[t * workspace.batch + b] = 0
                    }
                }
                // A read failure leaves this batch's rows as they were; the caller asks `failure`.
                do { try data.fill(workspace, rows: rows) } catch { failure = failure ?? error }
                if posteriorMean { workspace.noise.zero() } else {
                    // Sample k of segment s draws from generator s * K + k, whichever rank reads it.
                    let streams = (0..<workspace.batch).map { b in group[min(b / k, group.count - 1)] * k + b % k }
                    workspace.fillLatentNoise(seed: seed, step: chunk, streams: streams, purpose: .evaluation)
                }
                workspace.forward(parameters: parameters.pointer, normaliser: 1)
                for b in 0..<group.count * k {
                    let length = segments[group[b / k]].length
                    for t in 0..<max(0, min(window, length - t0)) {
                        let r = t * workspace.batch + b
                        let nll = Double(workspace.rowNLL[r]), rowKL = Double(workspace.rowKL[r])
                        reconstruction[b] += nll
                        kl[b] += rowKL
                        logWeight[b] += -nll + workspace.latentLogRatio(row: r)
                    }
                }
                workspace.carryStateForward()
            }
            for (p, index) in group.enumerated() {
                let streams = p * k..<(p + 1) * k
                totals.steps += Double(segments[index].length)
                totals.segments += 1
                let meanReconstruction = streams.reduce(0) { $0 + reconstruction[$1] } / Double(k)
                let meanKL = streams.reduce(0) { $0 + kl[$1] } / Double(k)
                totals.reconstruction += meanReconstruction
                totals.kl += meanKL
                totals.negativeELBO += meanReconstruction + meanKL
                let top = streams.map { logWeight[$0] }.max()!
                let logMean = top + log(streams.reduce(0) { $0 + exp(logWeight[$1] - top) } / Double(k))
                totals.negativeLogLikelihood -= logMean
            }
            progress?(min(first + batchSegments, mine.count), mine.count)
        }
        let sums = collective.allreduceSum([totals.steps, totals.segments, totals.negativeELBO, totals.reconstruction,
                                            totals.kl, totals.negativeLogLikelihood])
        return EvaluationTotals(steps: sums[0], segments: sums[1], negativeELBO: sums[2], reconstruction: sums[3],
                                kl: sums[4], negativeLogLikelihood: sums[5])
    }
}
