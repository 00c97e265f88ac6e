import Foundation
import Pen
import VRNN

/// The fields of a dataset's `metadata` JSON that other commands act on (also kept in
/// checkpoints as `data_metadata`).
struct DatasetMetadata {
    private let fields: [String: Any]

    init(_ json: String) {
        fields = ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]) ?? [:]
    }

    /// The output head the data asks for ("pen" from `vrnn prepare synthetic`).
    var head: ModelConfig.Head? { (fields["head"] as? String).flatMap(ModelConfig.Head.init(rawValue:)) }
    /// The built-in pen task it was generated from.
    var task: PenTask? { (fields["task"] as? String).flatMap(PenTask.init(rawValue:)) }
    /// The names of the data's `count` columns (x0, x1, ... where the dataset has none).
    func columns(count: Int) -> [String] {
        if let names = fields["columns"] as? [String], names.count == count { return names }
        return (0..<count).map { "x\($0)" }
    }
    /// Samples per second of audio prepared with `vrnn prepare wav`.
    var sampleRate: Int? { (fields["sample_rate"] as? Int).flatMap { $0 > 0 ? $0 : nil } }
}
