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

    /// The training files then, with `validInputs`, the validation ones (folders expanded), and
    /// how many are validation files; checked against the output before any slow reading.
    func splitFiles(_ inputs: [String], extensions: [String]) throws -> (files: [String], validCount: Int?) {
        let files = try Self.expand(inputs, extensions: extensions)
        let validFiles = validInputs.isEmpty ? [] : try Self.expand(validInputs, extensions: extensions)
        try checkWritable(inputs: files + validFiles)
        return (files + validFiles, validInputs.isEmpty ? nil : validFiles.count)
    }

    /// Checks the output can be written, and is none of the `inputs`, before any slow reading,
    /// so a mistake costs nothing.
    func checkWritable(inputs: [String]) throws {
        try OutputGuard.check(path, inputs: inputs, force: force)
    }

    /// Normalises, splits and writes real-valued sequences, reading them one at a time with
    /// `read` (twice: to plan the split and the scaling, then to write), so memory holds one
    /// sequence whatever their number. Returns the summary, with a warning line for constant
    /// columns. `columns` names the columns (kept in the metadata for samples); `rawColumns`
    /// (names or 0-based indices) are kept unnormalised, as is every column of 0s and 1s.
    /// `details` gives what the reads found (read notes, metadata), once they are done.
    func writeFrames(count: Int, validCount: Int?, read source: @escaping (Int) throws -> FrameSequence, columns: [String]? = nil,
                     rawColumns: [String] = [], detectBinary: Bool = true, scaling: FrameScaling = .perPosition,
                     details: () -> (metadata: [String: Any], note: String)) throws -> String {
        // The last sequence read is kept, so the reads of one file in a row cost one.
        var last: (index: Int, sequence: FrameSequence)?
        let read = { (i: Int) throws -> FrameSequence in
            if let last, last.index == i { return last.sequence }
            let sequence = try source(i)
            last = (i, sequence)
            return sequence
        }
        let d = try read(0).dim
        let names = columns ?? (0..<d).map { "column \($0)" }
        let raw = try Set(rawColumns.map { column -> Int in
            if let index = names.firstIndex(of: column) { return index }
            if let index = Int(column), index >= 0, index < d { return index }
            throw UserError("--raw-columns names \(column), which is not among the columns used (\(columns?.joined(separator: ", ") ?? "0 to \(d - 1)"))")
        })
        let plan = try FramePlan(count: count, validCount: validCount, validFraction: validFraction, rawColumns: raw, detectBinary: detectBinary,
                                 scaling: scaling, read: read)
        guard plan.trainCount > 0 else {
            throw UserError(validCount == nil ? "--valid-fraction \(validFraction) leaves no training data in \(count) sequence\(count == 1 ? "" : "s"); lower it"
                                              : "the training files hold no data")
        }
        let (found, note) = details()
        var metadata = found
        if validCount == nil { metadata["valid_fraction"] = validFraction } else { metadata["valid_files"] = validInputs }
        metadata["scaling"] = scaling.rawValue
        metadata["raw_columns"] = plan.rawColumns
        if let columns { metadata["columns"] = columns }
        let writer = try DatasetWriter(path: path, overwrite: force, kind: plan.kind, rows: plan.rowCount)
        var fingerprint = DataFingerprint(.frames(dim: d)), part = 0
        let offsets = plan.offsets, trainRows = Int(offsets[plan.trainCount])
        try plan.forEachScaled(read: read) { frames in
            if part < plan.trainCount { fingerprint.add(frames) }
            part += 1
            try writer.append(frames)
        }
        try writer.finish(offsets: offsets, train: 0..<plan.trainCount, valid: plan.trainCount..<plan.parts.count,
                          metadata: try Self.json(metadata),
                          trainFingerprint: fingerprint.finish(rows: trainRows, offsets: offsets[0...plan.trainCount].map { Int($0) }))
        let unscaled = plan.rawColumns.map { names[$0] }, constant = plan.constantColumns.map { names[$0] }
        var summary = "vrnn prepare: \(path): \(plan.trainCount) training and \(plan.parts.count - plan.trainCount) validation sequences, "
        summary += "\(plan.rowCount) steps of \(d) value\(d == 1 ? "" : "s"), normalised with training-split statistics"
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
