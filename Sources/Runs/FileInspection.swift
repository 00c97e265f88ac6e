import Foundation
import Storage

/// `vrnn inspect`: what one of our HDF5 files holds, as text: its kind, format version and
/// config, a checkpoint's step and last losses or a dataset's sequence statistics, and every
/// tensor's shape, dtype and min/max/mean.
public enum FileInspection {
    /// What `describe` found: the lines to print, and the tensors that are damaged (the file
    /// cannot be trusted when there is any).
    public struct Report {
        public var lines: [String]
        public var damaged: [String]
    }

    /// `path` is a file, or a run folder meaning its latest checkpoint.
    public static func describe(_ path: String) throws -> Report {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? try RunFolder.resolveCheckpoint(path) : path
        let hdf5 = try HDF5File(readingAt: file)
        let format = (try? hdf5.stringAttribute("format")) ?? "(none)"
        let version = (try? hdf5.doubleAttribute("format_version")).map { String(Int($0)) } ?? "?"
        guard let kind = FileFormat.all.first(where: { $0.name == format }) else {
            let tensors = try datasets(hdf5)
            return Report(lines: ["\(file): an HDF5 file, but not a vrnn one (format \(format))"] + tensors.lines, damaged: tensors.damaged)
        }
        try kind.check(hdf5)
        var lines = ["\(file): \(kind.name), format version \(version)"]
        switch kind {
        case .checkpoint: lines += try checkpoint(hdf5)
        case .dataset: lines += try dataset(hdf5.path)
        default: lines.append("from: \(pretty((try? hdf5.stringAttribute("metadata")) ?? "{}"))")
        }
        if let config = try? hdf5.stringAttribute(kind == .dataset ? "metadata" : "config") {
            lines.append("\(kind == .dataset ? "metadata" : "config"): \(pretty(config))")
        }
        let tensors = try datasets(hdf5)
        return Report(lines: lines + tensors.lines, damaged: tensors.damaged)
    }

    static func checkpoint(_ hdf5: HDF5File) throws -> [String] {
        let reader = try CheckpointReader(file: hdf5)
        let tokens = (try? hdf5.doubleAttribute("tokens_seen")).map { Int($0) } ?? 0
        var lines = ["step \(reader.step), \(tokens) tokens seen, written by vrnn \(reader.codeVersion)", "data: \(reader.dataFingerprint)"]
        let history = try hdf5.readDoubles("metrics/history")
        let columns = try hdf5.stringAttribute("columns", of: "metrics/history").split(separator: ",").map(String.init)
        let rows = history.shape.first ?? 0
        guard rows > 0, let loss = columns.firstIndex(of: "loss"), let valid = columns.firstIndex(of: "valid_loss") else { return lines }
        let row = { (r: Int, c: Int) in history.values[r * columns.count + c] }
        var metrics = String(format: "metrics: %d steps; last training loss %.4f nats", rows, row(rows - 1, loss))
        if let lastValid = (0..<rows).last(where: { !row($0, valid).isNaN }) {
            metrics += String(format: "; last validation loss %.4f nats (step %d)", row(lastValid, valid), Int(row(lastValid, 0)))
        }
        lines.append(metrics)
        return lines
    }

    static func dataset(_ file: String) throws -> [String] {
        let dataset = try SequenceDataset(readingAt: file)
        let lengths = zip(dataset.offsets.dropFirst(), dataset.offsets).map { Int($0 - $1) }
        var lines: [String] = []
        switch dataset.values {
        case .tokens(_, let vocabulary): lines.append("text: \(dataset.rowCount) tokens over a vocabulary of \(vocabulary.count)")
        case .frames(_, let d, _, _): lines.append("real-valued: \(dataset.rowCount) frames of \(d) values (normalised; /stats holds mean and std)")
        }
        lines.append("sequences: \(lengths.count), length min \(lengths.min()!) / mean "
                     + String(format: "%.1f", Double(lengths.reduce(0, +)) / Double(lengths.count)) + " / max \(lengths.max()!)")
        for (name, range) in [("train", dataset.train), ("valid", dataset.valid)] {
            let rows = range.isEmpty ? 0 : Int(dataset.offsets[range.upperBound] - dataset.offsets[range.lowerBound])
            lines.append("split \(name): sequences \(range.lowerBound)..<\(range.upperBound) (\(range.count)), \(rows) rows")
        }
        return lines
    }

    /// A blank line, a header and one row per tensor; and the tensors that could not be read.
    static func datasets(_ hdf5: HDF5File) throws -> (lines: [String], damaged: [String]) {
        let names = try hdf5.datasetNames()
        let width = max(names.map(\.count).max() ?? 0, 7)
        var damaged: [String] = []
        var lines = ["", "dataset".padding(toLength: width, withPad: " ", startingAt: 0) + "  shape             dtype      min          max          mean"]
        for name in names {
            let description = try hdf5.describe(name)
            var line = name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + "\(description.shape)".padding(toLength: 16, withPad: " ", startingAt: 0) + "  "
                + description.dtype.padding(toLength: 9, withPad: " ", startingAt: 0)
            if description.dtype != "string" {
                let values: [Double]
                do { values = try hdf5.readDoubles(name).values } catch {
                    // One line for the whole file comes at the end; this row says which tensor.
                    lines.append(line + "  DAMAGED: \(error)")
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
            lines.append(line)
        }
        return (lines, damaged)
    }

    /// A JSON string re-printed on one line with sorted keys (or as it is, when it is not JSON).
    static func pretty(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
