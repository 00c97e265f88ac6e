import Foundation
import Storage
import Training
import VRNN

/// A checkpoint opened for reading its model: the path (a run folder resolved to its latest),
/// the run config, the model built from it and the parameters.
public struct LoadedCheckpoint {
    public let path: String
    public let reader: CheckpointReader
    public let config: RunConfig
    public let model: VRNNModel
    public let parameters: [Float]

    /// `argument` is a checkpoint file or a run folder (its latest checkpoint).
    public init(_ argument: String) throws {
        path = try RunFolder.resolveCheckpoint(argument)
        reader = try CheckpointReader(path: path)
        config = try RunCheckpoint.config(of: reader)
        model = try VRNNModel(config.model)
        parameters = try reader.parameters(layout: RunCheckpoint.layout(model))
    }
}

extension LoadedCheckpoint {
    /// Refuses a dataset whose values the model would misread (another vocabulary or another
    /// normalisation than its training data's); returns whether it is text.
    public func checkEncoding(of dataset: StoredDataset.Kind, path: String) throws -> Bool {
        switch (dataset, try reader.decoding()) {
        case (.tokens(let vocabulary), .vocabulary(let trained)):
            guard vocabulary == trained else {
                throw UserError("\(path) maps characters to ids differently from the model's training data; prepare it with the same --vocab")
            }
            return true
        case (.frames(_, let mean, let std), .statistics(let trainedMean, let trainedStd)):
            guard mean == trainedMean, std == trainedStd else {
                throw UserError("\(path) is normalised with other statistics than the model's training data; use the dataset the model was trained on")
            }
            return false
        default: throw UserError("\(path) holds other data than the model reads")
        }
    }
}

extension LoadedCheckpoint {
    /// `vrnn export`: the weights with PyTorch's names and [out, in] layouts, the model's config
    /// and where they came from; returns the summary line.
    public func exportWeights(to out: String, force: Bool) throws -> String {
        try OutputGuard.check(out, inputs: [path], force: force)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let config = String(decoding: try encoder.encode(self.config.model), as: UTF8.self)
        let metadata = String(decoding: try encoder.encode([
            "checkpoint": path, "step": "\(reader.step)", "vrnn_version": VRNNVersion.current,
            "checkpoint_vrnn_version": reader.codeVersion]), as: UTF8.self)
        try WeightsFile.write(to: out, layout: RunCheckpoint.layout(model), parameters: parameters,
                              config: config, metadata: metadata, overwrite: force)
        return "vrnn export: \(out): \(model.table.entries.count) tensors, \(model.parameterCount) parameters "
            + "from step \(reader.step) of \(path)"
    }
}
