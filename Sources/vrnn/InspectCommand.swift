import ArgumentParser
import Foundation
import Storage

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a vrnn HDF5 file (dataset, checkpoint or weights) holds.")

    @Argument(help: "The file (a run folder means its latest checkpoint).") var path: String

    func run() throws {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? try RunFolder.resolveCheckpoint(path) : path
        let hdf5 = try HDF5File(readingAt: file)
        let format = (try? hdf5.stringAttribute("format")) ?? "(none)"
        let version = (try? hdf5.doubleAttribute("format_version")).map { String(Int($0)) } ?? "?"
        guard let kind = FileFormat.all.first(where: { $0.name == format }) else {
            print("\(file): an HDF5 file, but not a vrnn one (format \(format))")
            try printDatasets(hdf5)
            return
        }
        try kind.check(hdf5)
        print("\(file): \(kind.name), format version \(version)")
        switch kind {
        case .checkpoint: try describeCheckpoint(hdf5)
        case .dataset: try describeDataset(hdf5.path)
        default: print("from: \(Self.pretty((try? hdf5.stringAttribute("metadata")) ?? "{}"))")
        }
        if let config = try? hdf5.stringAttribute(kind == .dataset ? "metadata" : "config") {
            print("\(kind == .dataset ? "metadata" : "config"): \(Self.pretty(config))")
        }
        try printDatasets(hdf5)
    }

    func describeCheckpoint(_ hdf5: HDF5File) throws {
        let reader = try CheckpointReader(file: hdf5)
        let tokens = (try? hdf5.doubleAttribute("tokens_seen")).map { Int($0) } ?? 0
        print("step \(reader.step), \(tokens) tokens seen, written by vrnn \(reader.codeVersion)")
        print("data: \(reader.dataFingerprint)")
        let history = try hdf5.readDoubles("metrics/history")
        let columns = try hdf5.stringAttribute("columns", of: "metrics/history").split(separator: ",").map(String.init)
        let rows = history.shape.first ?? 0
        guard rows > 0, let loss = columns.firstIndex(of: "loss"), let valid = columns.firstIndex(of: "valid_loss") else { return }
        let row = { (r: Int, c: Int) in history.values[r * columns.count + c] }
        print(String(format: "metrics: %d steps; last training loss %.4f nats", rows, row(rows - 1, loss)), terminator: "")
        if let lastValid = (0..<rows).last(where: { !row($0, valid).isNaN }) {
            print(String(format: "; last validation loss %.4f nats (step %d)", row(lastValid, valid), Int(row(lastValid, 0))), terminator: "")
        }
        print()
    }

    func describeDataset(_ file: String) throws {
        let dataset = try SequenceDataset(readingAt: file)
        let lengths = zip(dataset.offsets.dropFirst(), dataset.offsets).map { Int($0 - $1) }
        switch dataset.values {
        case .tokens(_, let vocabulary): print("text: \(dataset.rowCount) tokens over a vocabulary of \(vocabulary.count)")
        case .frames(_, let d, _, _): print("real-valued: \(dataset.rowCount) frames of \(d) values (normalised; /stats holds mean and std)")
        }
        print("sequences: \(lengths.count), length min \(lengths.min()!) / mean "
              + String(format: "%.1f", Double(lengths.reduce(0, +)) / Double(lengths.count)) + " / max \(lengths.max()!)")
        for (name, range) in [("train", dataset.train), ("valid", dataset.valid)] {
            let rows = range.isEmpty ? 0 : Int(dataset.offsets[range.upperBound] - dataset.offsets[range.lowerBound])
            print("split \(name): sequences \(range.lowerBound)..<\(range.upperBound) (\(range.count)), \(rows) rows")
        }
    }

    func printDatasets(_ hdf5: HDF5File) throws {
        let names = try hdf5.datasetNames()
        let width = max(names.map(\.count).max() ?? 0, 7)
        print("\n" + "dataset".padding(toLength: width, withPad: " ", startingAt: 0) + "  shape             dtype      min          max          mean")
        for name in names {
            let description = try hdf5.describe(name)
            var line = name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + "\(description.shape)".padding(toLength: 16, withPad: " ", startingAt: 0) + "  "
                + description.dtype.padding(toLength: 9, withPad: " ", startingAt: 0)
            if description.dtype != "string", let values = try? hdf5.readDoubles(name).values, !values.isEmpty {
                let finite = values.filter { $0.isFinite }
                let mean = finite.reduce(0, +) / Double(max(finite.count, 1))
                line += String(format: "  %-11.5g  %-11.5g  %.5g", finite.min() ?? .nan, finite.max() ?? .nan, mean)
                if finite.count < values.count { line += "  (\(values.count - finite.count) not finite)" }
            }
            print(line)
        }
    }

    /// A JSON string re-printed on one line with sorted keys (or as it is, when it is not JSON).
    static func pretty(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
