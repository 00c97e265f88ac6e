import ArgumentParser
import Foundation
import Storage

/// What every `vrnn prepare` kind shares: the output file, the validation fraction and --force.
struct PrepareOutput: ParsableArguments {
    @Option(help: "Output dataset file.") var out: String
    @Option(name: .customLong("valid-fraction"),
            help: "Fraction kept for validation: the last sequences (or the end of a single sequence).")
    var validFraction = 0.1
    @Flag(help: "Replace an existing output file.") var force = false

    func validate() throws {
        guard validFraction >= 0, validFraction < 1 else {
            throw ValidationError("--valid-fraction must be in [0, 1) (got \(validFraction))")
        }
    }

    /// Checks the output can be written before any slow reading, so a mistake costs nothing.
    func checkWritable() throws {
        try refuseToOverwrite(out, force: force)
    }

    /// Normalises, splits and writes real-valued sequences; prints one summary line.
    func writeFrames(_ sequences: [FrameSequence], metadata: [String: Any], rawColumns: Set<Int> = [], note: String = "") throws {
        var metadata = metadata
        metadata["valid_fraction"] = validFraction
        let json = String(decoding: try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys, .withoutEscapingSlashes]),
                          as: UTF8.self)
        let dataset = try SequenceDataset.frames(sequences, validFraction: validFraction, metadata: json, rawColumns: rawColumns)
        try dataset.write(to: out, overwrite: force)
        let d = sequences[0].dim
        print("vrnn prepare: \(out): \(dataset.train.count) training and \(dataset.valid.count) validation sequences, "
              + "\(dataset.rowCount) steps of \(d) value\(d == 1 ? "" : "s"), normalised with training-split statistics" + note)
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
