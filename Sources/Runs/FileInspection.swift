import Foundation
import Storage

/// `vrnn inspect`: what one of our HDF5 files holds, as text: its kind, format version and
/// config, a checkpoint's step and last losses or a dataset's sequence statistics, and every
/// tensor's shape, dtype and min/max/mean.
public enum FileInspection {
    /// `path` is a file, a run folder meaning its latest checkpoint, or RUN:best. Lines go to `emit` as
    /// they are read, so a file damaged further in still shows what came before; returns the
    /// tensors that could not be read (the file cannot be trusted when there is any).
    public static func describe(_ path: String, emit: (String) -> Void) throws -> [String] {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        // A run folder, or RUN:best and RUN:latest, means a checkpoint of the run; anything else is a file.
        let file = isFolder.boolValue || (!exists && RunFolder.namesAPointer(path)) ? try RunFolder.resolveCheckpoint(path) : path
        let hdf5 = try HDF5File(readingAt: file)
        let format = (try? hdf5.stringAttribute("format")) ?? "(none)"
        let version = (try? hdf5.doubleAttribute("format_version")).map { String(Int($0)) } ?? "?"
        guard let kind = FileFormat.all.first(where: { $0.name == format }) else {
            emit("\(file): an HDF5 file, but not a vrnn one (format \(format))")
            return try datasets(hdf5, emit: emit)
        }
        try kind.check(hdf5)
        emit("\(file): \(kind.name), format version \(version)")
        switch kind {
        case .checkpoint: try checkpoint(hdf5, emit: emit)
        case .dataset: try dataset(hdf5.path, emit: emit)
        default: emit("from: \(pretty((try? hdf5.stringAttribute("metadata")) ?? "{}"))")
        }
        if let config = try? hdf5.stringAttribute(kind == .dataset ? "metadata" : "config") {
            emit("\(kind == .dataset ? "metadata" : "config"): \(pretty(config))")
        }
        return try datasets(hdf5, emit: emit)
    }

    static func checkpoint(_ hdf5: HDF5File, emit: (String) -> Void) throws {
        let reader = try CheckpointReader(file: hdf5)
        let tokens = (try? hdf5.doubleAttribute("tokens_seen")).map { Int($0) } ?? 0
        emit("step \(reader.step), \(tokens) tokens seen, written by vrnn \(reader.codeVersion)")
        emit("data: \(reader.dataFingerprint)")
        let history = try hdf5.readDoubles("metrics/history")
        let columns = try hdf5.stringAttribute("columns", of: "metrics/history").split(separator: ",").map(String.init)
        let rows = history.shape.first ?? 0
        guard rows > 0, let loss = columns.firstIndex(of: "loss"), let valid = columns.firstIndex(of: "valid_loss") else { return }
        let row = { (r: Int, c: Int) in history.values[r * columns.count + c] }
        var metrics = String(format: "metrics at step %.0f: training loss %.4f nats", row(rows - 1, 0), row(rows - 1, loss))
        if let lastValid = (0..<rows).last(where: { !row($0, valid).isNaN }) {
            metrics += String(format: "; last validation loss %.4f nats (step %.0f)", row(lastValid, valid), row(lastValid, 0))
        }
        emit(metrics)
    }

    static func dataset(_ file: String, emit: (String) -> Void) throws {
        let dataset = try SequenceDataset(readingAt: file)
        let lengths = zip(dataset.offsets.dropFirst(), dataset.offsets).map { Int($0 - $1) }
        switch dataset.values {
        case .tokens(_, let vocabulary): emit("text: \(dataset.rowCount) tokens over a vocabulary of \(vocabulary.count)")
        case .frames(_, let d, _, _): emit("real-valued: \(dataset.rowCount) frames of \(d) values (normalised; /stats holds mean and std)")
        }
        emit("sequences: \(lengths.count), length min \(lengths.min()!) / mean "
                     + String(format: "%.1f", Double(lengths.reduce(0, +)) / Double(lengths.count)) + " / max \(lengths.max()!)")
        for (name, range) in [("train", dataset.train), ("valid", dataset.valid)] {
            let rows = range.isEmpty ? 0 : Int(dataset.offsets[range.upperBound] - dataset.offsets[range.lowerBound])
            emit("split \(name): sequences \(range.lowerBound)..<\(range.upperBound) (\(range.count)), \(rows) rows")
        }
    }

    /// A blank line, a header and one row per tensor; returns the tensors that could not be read.
    static func datasets(_ hdf5: HDF5File, emit: (String) -> Void) throws -> [String] {
        let names = try hdf5.datasetNames()
        let width = max(names.map(\.count).max() ?? 0, 7)
        var damaged: [String] = []
        emit("")
        emit("dataset".padding(toLength: width, withPad: " ", startingAt: 0) + "  shape             dtype      min          max          mean")
        for name in names {
            let description = try hdf5.describe(name)
            var line = name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + "\(description.shape)".padding(toLength: 16, withPad: " ", startingAt: 0) + "  "
                + description.dtype.padding(toLength: 9, withPad: " ", startingAt: 0)
            if description.dtype != "string" {
                let values: [Double]
                do { values = try hdf5.readDoubles(name).values } catch {
                    // One line for the whole file comes at the end; this row says which tensor.
                    emit(line + "  DAMAGED: \(error)")
                    damaged.append(name)
                    continue
                }
                if !values.isEmpty {
                    let finite = values.filter { $0.isFinite }
                    let mean = finite.reduce(0, +) / Double(max(finite.count, 1))
                    line += String(format: "  %-11.5g  %-11.5g  %.5g", finite.min() ?? .nan, finite.max() ?? .nan, mean)
                    if finite.count < values.count { line += "  (\(values.count - finite.count) not finite)" }
                }
            }
            emit(line)
        }
        return damaged
    }

    /// A JSON string re-printed on one line with sorted keys (or as it is, when it is not JSON).
    static func pretty(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
