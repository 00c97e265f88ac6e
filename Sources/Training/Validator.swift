import Kernels
import VRNN

/// The validation loss: the validation data read by the same G global streams as training,
/// read window by window from a zero state, forward only. Each rank evaluates its own streams and
/// the sums are reduced, so the figure does not depend on the number of ranks.
public final class Validator {
    let data: SequenceData
    let pristine: SequenceStreams
    let workspace: WindowWorkspace
    var rows: [Int]
    let windows: Int
    let firstStream: Int
    let seed: UInt64

    /// Throws when the validation data is too short for one window per stream.
    public init(model: VRNNModel, data: SequenceData, config: TrainingConfig, collective: Collective) throws {
        self.data = data
        pristine = try SequenceStreams(offsets: data.offsets, globalStreams: config.globalBatch, window: config.window)
        // Every stream evaluates the same number of full windows: the shortest tape's.
        windows = pristine.tapeLengths.min()! / config.window
        let local = config.globalBatch / collective.size
        firstStream = collective.rank * local
        workspace = WindowWorkspace(model: model, batch: local, steps: config.window)
        rows = Array(repeating: 0, count: local * config.window)
        seed = config.seed
    }

    /// Characters (stream-steps) one validation pass covers, over all ranks.
    public var characters: Int { pristine.globalStreams * windows * pristine.window }

    /// (reconstruction, KL) summed over the validation set and all ranks, in nats.
    public func run(parameters: FloatBuffer, collective: Collective) -> (reconstruction: Double, kl: Double) {
        var streams = pristine
        workspace.initialH.zero()
        workspace.initialC.zero()
        var reconstruction = 0.0, kl = 0.0
        for w in 0..<windows {
            streams.nextWindow(firstStream: firstStream, batch: workspace.batch, rows: &rows, reset: &workspace.reset)
            data.fill(workspace, rows: rows)
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
