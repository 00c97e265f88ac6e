import Foundation
import Storage
import Training
import VRNN

/// The bridge between a Trainer and a checkpoint file.
enum RunCheckpoint {
    static func layout(_ model: VRNNModel) -> [TensorLayout] {
        model.table.entries.map { TensorLayout(name: $0.name, shape: $0.shape) }
    }

    /// The state of the run now, with `streams` gathered from every rank (`Trainer.gatherStreamState`).
    static func capture(_ trainer: Trainer, streams: StreamState, config: RunConfig, fingerprint: String, decoding: DataDecoding,
                        dataMetadata: String, metrics: [Double], curve: MetricsCurve?, best: BestValidation?) -> CheckpointState {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let adam = config.training.adam
        return CheckpointState(
            config: String(decoding: (try? encoder.encode(config)) ?? Data(), as: UTF8.self),
            codeVersion: VRNNVersion.current, dataFingerprint: fingerprint, step: trainer.step,
            tokensSeen: Int64(trainer.step * config.training.globalBatch * config.training.window),
            layout: layout(trainer.model), parameters: trainer.parameters.array,
            adamM: trainer.adam.m.array, adamV: trainer.adam.v.array, adamStep: trainer.adam.step, klBase: Double(trainer.klBase),
            adamHyperparameters: ["lr": Double(adam.learningRate), "beta1": Double(adam.beta1), "beta2": Double(adam.beta2),
                                  "eps": Double(adam.epsilon), "weight_decay": Double(adam.weightDecay)],
            cursors: streams.cursors.map(Int64.init), epochs: streams.epochs.map(Int64.init),
            hidden: streams.hidden, cell: streams.cell, layers: trainer.model.config.layers,
            hiddenSize: trainer.model.config.hidden, metricsColumns: MetricsFile.columns, metrics: metrics,
            curve: curve, decoding: decoding, dataMetadata: dataMetadata, bestValidation: best)
    }

    /// The run configuration a checkpoint was written with.
    static func config(of reader: CheckpointReader) throws -> RunConfig {
        do { return try JSONDecoder().decode(RunConfig.self, from: Data(reader.config.utf8)) } catch {
            throw UserError("\(reader.file.path): its config attribute is not a vrnn run config (\(error))")
        }
    }

    /// Puts the checkpoint's state into `trainer` (every rank reads the file) and returns its
    /// metrics rows, curve and best validation; `klBase`, when given, replaces the KL weight the checkpoint carries.
    static func restore(_ trainer: Trainer, from reader: CheckpointReader, klBase: Float? = nil) throws -> RestoredHistory {
        let c = trainer.model.config
        let state = try reader.state(layout: layout(trainer.model), layers: c.layers, hiddenSize: c.hidden, lstm: c.cell == .lstm)
        guard state.cursors.count == trainer.config.globalBatch else {
            throw UserError("\(reader.file.path): holds \(state.cursors.count) streams but the run has G = \(trainer.config.globalBatch)")
        }
        trainer.restore(parameters: state.parameters, adamM: state.adamM, adamV: state.adamV, adamStep: state.adamStep,
                        step: state.step, klBase: klBase ?? Float(state.klBase),
                        streams: StreamState(cursors: state.cursors.map { Int($0) }, epochs: state.epochs.map { Int($0) },
                                             hidden: state.hidden, cell: state.cell))
        // A curve is only written with today's columns; older files have none.
        let curve = state.metricsColumns == MetricsFile.columns ? state.curve : nil
        return RestoredHistory(rows: MetricsFile.adopt(state.metrics, columns: state.metricsColumns), curve: curve, best: state.bestValidation)
    }
}

/// What a checkpoint says of the run's past: metrics rows, the loss curve, the best validation.
struct RestoredHistory {
    var rows: [Double] = []
    var curve: MetricsCurve?
    var best: BestValidation?
}
