import ArgumentParser
import Foundation
import Storage
import Training
import VRNN

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's weights with PyTorch's names and layouts (see docs/WEIGHTS.md to load them).")

    @Option(help: "A checkpoint file, or a run folder (its latest checkpoint).") var checkpoint: String
    @Option(help: "Output weights file (HDF5).") var out: String
    @Flag(help: "Replace an existing output file.") var force = false

    func run() throws {
        let loaded = try LoadedCheckpoint(checkpoint)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let config = String(decoding: try encoder.encode(loaded.config.model), as: UTF8.self)
        let metadata = String(decoding: try encoder.encode([
            "checkpoint": loaded.path, "step": "\(loaded.reader.step)", "vrnn_version": VRNNVersion.current,
            "checkpoint_vrnn_version": loaded.reader.codeVersion]), as: UTF8.self)
        try WeightsFile.write(to: out, layout: RunCheckpoint.layout(loaded.model), parameters: loaded.parameters,
                              config: config, metadata: metadata, overwrite: force)
        print("vrnn export: \(out): \(loaded.model.table.entries.count) tensors, \(loaded.model.parameterCount) parameters "
              + "from step \(loaded.reader.step) of \(loaded.path)")
    }
}

/// A checkpoint opened for reading its model: the path (a run folder resolved to its latest),
/// the run config, the model built from it and the parameters.
struct LoadedCheckpoint {
    let path: String
    let reader: CheckpointReader
    let config: RunConfig
    let model: VRNNModel
    let parameters: [Float]

    init(_ argument: String) throws {
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
    func checkEncoding(of dataset: SequenceDataset, path: String) throws -> Bool {
        switch (dataset.values, try reader.decoding()) {
        case (.tokens(_, let vocabulary), .vocabulary(let trained)):
            guard vocabulary == trained else {
                throw UserError("\(path) maps characters to ids differently from the model's training data; prepare it with the same --vocab")
            }
            return true
        case (.frames(_, _, let mean, let std), .statistics(let trainedMean, let trainedStd)):
            guard mean == trainedMean, std == trainedStd else {
                throw UserError("\(path) is normalised with other statistics than the model's training data; use the dataset the model was trained on")
            }
            return false
        default: throw UserError("\(path) holds other data than the model reads")
        }
    }
}
