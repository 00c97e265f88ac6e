import Kernels

/// The state of all G global streams, independent of how ranks share them: cursors and epochs
/// [G], and the carried hidden state (and LSTM cell state) [G, layers, H].
public struct StreamState: Equatable, Sendable {
    public var cursors: [Int]
    public var epochs: [Int]
    public var hidden: [Float]
    public var cell: [Float]
    public init(cursors: [Int], epochs: [Int], hidden: [Float], cell: [Float]) {
        self.cursors = cursors; self.epochs = epochs; self.hidden = hidden; self.cell = cell
    }
}

extension Trainer {
    /// Collective: every rank contributes its own streams (zeros elsewhere) to a sum, so every
    /// rank receives the exact state of all G streams.
    public func gatherStreamState() -> StreamState {
        let g = config.globalBatch, local = workspace.batch
        var counters = [Double](repeating: 0, count: 2 * g)
        for s in firstStream..<firstStream + local {
            counters[s] = Double(streams.cursors[s])
            counters[g + s] = Double(streams.epochs[s])
        }
        let summed = collective.allreduceSum(counters)
        return StreamState(cursors: summed[0..<g].map { Int($0) }, epochs: summed[g...].map { Int($0) },
                           hidden: gather(workspace.initialH), cell: gather(workspace.initialC))
    }

    /// Puts a saved run back: parameters, Adam's moments and step, the step count and the state
    /// of this rank's streams (taken from the all-G `streams`).
    public func restore(parameters saved: [Float], adamM: [Float], adamV: [Float], adamStep: Int, step: Int, klBase: Float,
                        streams streamState: StreamState) {
        precondition(saved.count == parameters.count && adamM.count == parameters.count && adamV.count == parameters.count)
        precondition(streamState.cursors.count == config.globalBatch)
        parameters.copy(from: saved)
        adam.m.copy(from: adamM)
        adam.v.copy(from: adamV)
        adam.step = adamStep
        self.step = step
        self.klBase = klBase
        streams.cursors = streamState.cursors
        streams.epochs = streamState.epochs
        scatter(streamState.hidden, into: workspace.initialH)
        scatter(streamState.cell, into: workspace.initialC)
    }

    /// [L, B, H] of this rank's streams into a zero [G, L, H], summed over ranks.
    private func gather(_ state: FloatBuffer) -> [Float] {
        guard state.count > 0 else { return [] }
        let (layers, h, local) = (model.config.layers, model.config.hidden, workspace.batch)
        let all = FloatBuffer(count: config.globalBatch * layers * h)
        for l in 0..<layers {
            for b in 0..<local {
                (all.pointer + ((firstStream + b) * layers + l) * h).update(from: state.pointer + (l * local + b) * h, count: h)
            }
        }
        collective.allreduceSum(all)
        return all.array
    }

    /// This rank's streams of a [G, L, H] state into [L, B, H].
    private func scatter(_ all: [Float], into state: FloatBuffer) {
        guard state.count > 0 else { return }
        let (layers, h, local) = (model.config.layers, model.config.hidden, workspace.batch)
        precondition(all.count == config.globalBatch * layers * h)
        all.withUnsafeBufferPointer { source in
            for l in 0..<layers {
                for b in 0..<local {
                    (state.pointer + (l * local + b) * h).update(from: source.baseAddress! + ((firstStream + b) * layers + l) * h, count: h)
                }
            }
        }
    }
}
