import Foundation
import Storage
import Training

/// Where a prepared dataset goes and what every `vrnn prepare` kind shares: the validation
/// fraction, --force, the split-and-normalise path for real values and the summary line.
public struct PreparationOutput {
    public var path: String
    /// Fraction kept for validation: the last sequences (or the end of a single sequence).
    public var validFraction: Double
    /// Replace an existing file.
    public var force: Bool
    /// Files or folders that form the validation split instead of `validFraction`.
    public var validInputs: [String]

    public init(path: String, validFraction: Double = 0.1, validInputs: [String] = [], force: Bool = false) {
        self.path = path; self.validFraction = validFraction; self.validInputs = validInputs; self.force = force
    }

    /// Reads the training inputs and, with `validInputs`, the validation ones, each file by `read`;
    /// checks the output against all of them first.
    func readSplits<Item>(_ inputs: [String], extensions: [String], _ read: (String) throws -> Item) throws -> (train: [Item], valid: [Item]?) {
        let files = try Self.expand(inputs, extensions: extensions)
        let validFiles = validInputs.isEmpty ? [] : try Self.expand(validInputs, extensions: extensions)
        try checkWritable(inputs: files + validFiles)
        return (try files.map(read), validInputs.isEmpty ? nil : try validFiles.map(read))
    }

    /// Checks the output can be written, and is none of the `inputs`, before any slow reading,
    /// so a mistake costs nothing.
    func checkWritable(inputs: [String]) throws {
        try OutputGuard.check(path, inputs: inputs, force: force)
    }

    /// Normalises, splits and writes real-valued sequences; returns the summary, with a warning
    /// line for constant columns. `columns` names the columns (kept in the metadata for samples);
    /// `rawColumns` (names or 0-based indices) are kept unnormalised, as is every column of 0s and 1s.
    func writeFrames(_ sequences: [FrameSequence], valid: [FrameSequence]? = nil, metadata: [String: Any], columns: [String]? = nil, rawColumns: [String] = [],
                     scaling: FrameScaling = .perColumn, note: String = "") throws -> String {
        let d = sequences.first?.dim ?? 0
        let names = columns ?? (0..<d).map { "column \($0)" }
        let raw = try Set(rawColumns.map { column -> Int in
            if let index = names.firstIndex(of: column) { return index }
            if let index = Int(column), index >= 0, index < d { return index }
            throw UserError("--raw-columns names \(column), which is not among the columns used (\(columns?.joined(separator: ", ") ?? "0 to \(d - 1)"))")
        })
        var prepared = try SequenceDataset.frames(sequences, validFraction: validFraction, valid: valid, metadata: "{}", rawColumns: raw,
                                                  scaling: scaling)
        let dataset = prepared.dataset
        guard !dataset.train.isEmpty, dataset.offsets[dataset.train.upperBound] > dataset.offsets[dataset.train.lowerBound] else {
            throw UserError(valid == nil ? "--valid-fraction \(validFraction) leaves no training data in \(sequences.count) sequence\(sequences.count == 1 ? "" : "s"); lower it"
                                         : "the training files hold no data")
        }
        var metadata = metadata
        if valid == nil { metadata["valid_fraction"] = validFraction } else { metadata["valid_files"] = validInputs }
        metadata["scaling"] = scaling.rawValue
        metadata["raw_columns"] = prepared.rawColumns
        if let columns { metadata["columns"] = columns }
        prepared.dataset.metadata = try Self.json(metadata)
        try prepared.dataset.writeFingerprinted(to: path, overwrite: force)
        let unscaled = prepared.rawColumns.map { names[$0] }, constant = prepared.constantColumns.map { names[$0] }
        var summary = "vrnn prepare: \(path): \(dataset.train.count) training and \(dataset.valid.count) validation sequences, "
        summary += "\(dataset.rowCount) steps of \(d) value\(d == 1 ? "" : "s"), normalised with training-split statistics"
        if scaling == .global { summary += " (one mean and standard deviation for all)" }
        if !unscaled.isEmpty { summary += "; kept unnormalised: " + unscaled.joined(separator: ", ") }
        summary += note
        if !constant.isEmpty {
            let one = constant.count == 1
            summary += "\nvrnn prepare: warning: " + constant.joined(separator: ", ") + (one ? " has" : " have")
            summary += " one value throughout the training split, so " + (one ? "it is" : "they are")
            summary += " centred but not scaled and carries no information; leave " + (one ? "it" : "them") + " out with --columns"
        }
        return summary
    }

    /// Metadata as JSON with sorted keys (file names with quotes or backslashes escaped).
    static func json(_ fields: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    /// The files named, with every folder replaced by its files ending in one of `extensions`, sorted.
    static func expand(_ inputs: [String], extensions: [String]) throws -> [String] {
        try inputs.flatMap { input -> [String] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else { throw UserError("\(input): no such file or folder") }
            guard isFolder.boolValue else { return [input] }
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? [])
                .filter { name in extensions.contains { name.lowercased().hasSuffix("." + $0) } }.sorted().map { input + "/" + $0 }
            guard !files.isEmpty else { throw UserError("\(input): no .\(extensions.joined(separator: ", .")) files in this folder") }
            return files
        }
    }
}

extension SequenceDataset {
    /// Writes the dataset with its training split's fingerprint, computed here once so that
    /// training need not hash the whole data at every start.
    func writeFingerprinted(to path: String, overwrite: Bool) throws {
        var stamped = self
        stamped.trainFingerprint = try SequenceData(slice(train)).fingerprint()
        try stamped.write(to: path, overwrite: overwrite)
    }
}
