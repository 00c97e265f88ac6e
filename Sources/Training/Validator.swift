import Kernels
import VRNN

/// The validation loss: the validation tokens cut into the same G global streams as training,
/// read window by window from a zero state, forward only. Each rank evaluates its own streams and
/// the sums are reduced, so the figure does not depend on the number of ranks.
public final class Validator {
    let pristine: TokenStreams
    let workspace: WindowWorkspace
    let windows: Int
    let firstStream: Int
    let seed: UInt64

    /// Throws when the validation text is too short for one window per stream.
    public init(model: VRNNModel, tokens: [Int32], config: TrainingConfig, collective: Collective) throws {
        pristine = try TokenStreams(tokens: tokens, globalStreams: config.globalBatch, window: config.window)
        windows = pristine.partLength / config.window
        let local = config.globalBatch / collective.size
        firstStream = collective.rank * local
        workspace = WindowWorkspace(model: model, batch: local, steps: config.window)
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
            streams.nextWindow(into: workspace, firstStream: firstStream)
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
