import Foundation
import Storage

/// Where a prepared dataset goes and what every `vrnn prepare` kind shares: the validation
/// fraction, --force, the split-and-normalise path for real values and the summary line.
public struct PreparationOutput {
    public var path: String
    /// Fraction kept for validation: the last sequences (or the end of a single sequence).
    public var validFraction: Double
    /// Replace an existing file.
    public var force: Bool

    public init(path: String, validFraction: Double = 0.1, force: Bool = false) {
        self.path = path; self.validFraction = validFraction; self.force = force
    }

    /// Checks the output can be written, and is none of the `inputs`, before any slow reading,
    /// so a mistake costs nothing.
    func checkWritable(inputs: [String]) throws {
        try OutputGuard.check(path, inputs: inputs, force: force)
    }

    /// Normalises, splits and writes real-valued sequences; returns the summary line.
    func writeFrames(_ sequences: [FrameSequence], metadata: [String: Any], rawColumns: Set<Int> = [], note: String = "") throws -> String {
        var metadata = metadata
        metadata["valid_fraction"] = validFraction
        let dataset = try SequenceDataset.frames(sequences, validFraction: validFraction, metadata: try Self.json(metadata), rawColumns: rawColumns)
        guard !dataset.train.isEmpty, dataset.offsets[dataset.train.upperBound] > dataset.offsets[dataset.train.lowerBound] else {
            throw UserError("--valid-fraction \(validFraction) leaves no training data in \(sequences.count) sequence\(sequences.count == 1 ? "" : "s"); lower it")
        }
        try dataset.write(to: path, overwrite: force)
        let d = sequences[0].dim
        return "vrnn prepare: \(path): \(dataset.train.count) training and \(dataset.valid.count) validation sequences, "
            + "\(dataset.rowCount) steps of \(d) value\(d == 1 ? "" : "s"), normalised with training-split statistics" + note
    }

    /// Metadata as JSON with sorted keys (file names with quotes or backslashes escaped).
    static func json(_ fields: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    /// The files named, with every folder replaced by its files ending in `.ext`, sorted.
    static func expand(_ inputs: [String], extension ext: String) throws -> [String] {
        try inputs.flatMap { input -> [String] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else { throw UserError("\(input): no such file or folder") }
            guard isFolder.boolValue else { return [input] }
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? [])
                .filter { $0.lowercased().hasSuffix("." + ext) }.sorted().map { input + "/" + $0 }
            guard !files.isEmpty else { throw UserError("\(input): no .\(ext) files in this folder") }
            return files
        }
    }
}
