import Kernels
import VRNN

/// The validation loss. The validation data is read by the same G global streams as training,
/// window by window from a zero state, forward only, at most `windowBudget` windows per stream,
/// so a validation costs the same however large the split. With a budget of 0 (`--valid-all`),
/// or when the split is too short for one window per stream, every row is read as `vrnn eval`
/// reads a split (one latent sample, no importance weighting). Each rank evaluates its own share and the
/// sums are reduced, so the figure does not depend on the number of ranks.
public final class Validator {
    private enum Plan {
        case streams(pristine: SequenceStreams, windows: Int, workspace: WindowWorkspace, firstStream: Int)
        case wholeSequences(Evaluator)
    }

    let data: SequenceData
    private let plan: Plan
    let seed: UInt64
    /// Rows (stream-steps) one validation pass covers, over all ranks.
    public let characters: Int
    /// What a pass reads, for the log.
    public let summary: String
    private var streamFailure: Error?
    /// Why this rank could not read its validation data, if it could not (a pass still reduces its
    /// sums, so no rank waits; the caller asks every rank, as `Collective.firstFailingRank`).
    public var failure: Error? {
        if case .wholeSequences(let evaluator) = plan, let failure = evaluator.failure { return failure }
        return streamFailure
    }

    public init(model: VRNNModel, data: SequenceData, config: TrainingConfig, windowBudget: Int, collective: Collective) {
        self.data = data
        seed = config.seed
        let g = config.globalBatch, t = config.window
        let streams = try? SequenceStreams(offsets: data.offsets, globalStreams: g, window: t)
        if let pristine = streams, windowBudget > 0 {
            let available = pristine.tapeLengths.min()! / t
            let windows = min(windowBudget, available)
            let local = g / collective.size
            plan = .streams(pristine: pristine, windows: windows, workspace: WindowWorkspace(model: model, batch: local, steps: t),
                            firstStream: collective.rank * local)
            characters = g * windows * t
            summary = "validation reads \(g) streams x \(windows) windows of \(t) = \(characters) of the split's \(data.rowCount) rows"
                + " (--valid-windows \(windowBudget); --valid-all reads every row)"
        } else {
            // Every row, as `vrnn eval` reads a split: text in segments of T from a zero state,
            // frames by whole sequences.
            let text: Bool
            if case .tokens = data.shape { text = true } else { text = false }
            let sequences = data.offsets.count - 1
            plan = .wholeSequences(Evaluator(model: model, data: data, segmentLength: text && streams != nil ? t : nil, window: t,
                                             importanceSamples: 1, posteriorMean: false, seed: config.seed, streams: g))
            characters = data.rowCount
            summary = streams != nil
                ? "validation reads all \(data.rowCount) rows of the split (--valid-all), "
                    + (text ? "in segments of \(t) from a zero state" : "by whole sequences") + ", as vrnn eval does"
                : "the validation split (\(data.rowCount) rows) is too short for \(g) streams of one window of \(t), "
                    + "so its \(sequences) sequence\(sequences == 1 ? " is" : "s are") validated whole, as vrnn eval does"
        }
    }

    /// (reconstruction, KL) summed over the validation pass and all ranks, in nats.
    public func run(parameters: FloatBuffer, collective: Collective) -> (reconstruction: Double, kl: Double) {
        switch plan {
        case .wholeSequences(let evaluator):
            let totals = evaluator.run(collective: collective, parameters: parameters)
            return (totals.reconstruction, totals.kl)
        case .streams(var streams, let windows, let workspace, let firstStream):
            workspace.initialH.zero()
            workspace.initialC.zero()
            var rows = [Int](repeating: 0, count: workspace.rows)
            var reconstruction = 0.0, kl = 0.0
            for w in 0..<windows {
                streams.nextWindow(firstStream: firstStream, batch: workspace.batch, rows: &rows, reset: &workspace.reset)
                do { try data.fill(workspace, rows: rows) } catch { streamFailure = streamFailure ?? error }
                workspace.fillLatentNoise(seed: seed, step: w, firstStream: firstStream, purpose: .validation)
                let loss = workspace.forward(parameters: parameters.pointer, normaliser: 1)
                reconstruction += loss.reconstruction
                kl += loss.kl
                workspace.carryStateForward()
            }
            let sums = collective.allreduceSum([reconstruction, kl])
            return (sums[0], sums[1])
        }
    }
}
