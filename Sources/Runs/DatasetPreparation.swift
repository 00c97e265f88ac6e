import Foundation
import Pen
import Storage
import Training

/// `vrnn prepare`: raw data into a dataset file. Each kind returns its one-line summary.
public enum DatasetPreparation {
    /// ascii: the fixed 128-character vocabulary of the reference notebook; data: the bytes the text uses.
    public enum TextVocabulary: String, CaseIterable, Sendable { case ascii, data }

    /// A text file (bytes or UTF-8) as one token stream; its last part becomes the validation
    /// split, or the `validInputs` files do (one stream each). The text is read twice, a block at
    /// a time (the bytes it uses, then the ids written as they are made), so memory does not grow
    /// with its size; the training split's fingerprint is computed on the way.
    public static func text(_ input: String, vocabulary vocab: TextVocabulary, output: PreparationOutput) throws -> String {
        let files = try PreparationOutput.expand([input], extensions: ["txt"])
        let validFiles = output.validInputs.isEmpty ? [] : try PreparationOutput.expand(output.validInputs, extensions: ["txt"])
        try output.checkWritable(inputs: files + validFiles)
        var counts = [Int](repeating: 0, count: 256)
        let sizes = try (files + validFiles).map { file in try EncodedText.readBlocks(file) { block in for b in block { counts[Int(b)] += 1 } } }
        let vocabulary = vocab == .ascii ? EncodedText.ascii : (0..<256).filter { counts[$0] > 0 }.map { UInt8($0) }
        let ids = try EncodedText.ids(of: vocabulary, counts: counts, source: input).map { UInt8(truncatingIfNeeded: $0) }
        let outside = EncodedText.outside(vocabulary, counts: counts), total = sizes.reduce(0, +)
        // Sequence ends: [train, end] for a fraction; [train, file 1 end, ...] for --valid files.
        var ends: [Int]
        if validFiles.isEmpty {
            let validCount = Int((Double(total) * output.validFraction).rounded())
            ends = [total - validCount] + (validCount > 0 ? [total] : [])
        } else {
            ends = [sizes.prefix(files.count).reduce(0, +)]
            for size in sizes.dropFirst(files.count) { ends.append(ends.last! + size) }
        }
        let trainCount = ends[0], validCount = total - trainCount
        guard trainCount >= 1 else {
            throw UserError("\(input): --valid-fraction \(output.validFraction) leaves no training text of \(total) characters; lower it")
        }
        let writer = try DatasetWriter(path: output.path, overwrite: output.force, kind: .tokens(vocabulary: vocabulary), rows: total)
        var fingerprint = DataFingerprint(.tokens(vocabulary: vocabulary.count))
        var written = 0
        for file in files + validFiles {
            try EncodedText.readBlocks(file) { block in
                let encoded = block.map { ids[Int($0)] }
                try encoded.withUnsafeBufferPointer { encoded in
                    fingerprint.add(UnsafeBufferPointer(rebasing: encoded[0..<max(0, min(encoded.count, trainCount - written))]))
                    try writer.append(encoded)
                }
                written += block.count
            }
        }
        var fields: [String: Any] = ["kind": "text", "source": (input as NSString).lastPathComponent, "vocab": vocab.rawValue,
                                     "characters": total, "outside_vocabulary_replaced": outside]
        if validFiles.isEmpty { fields["valid_fraction"] = output.validFraction } else { fields["valid_files"] = output.validInputs }
        try writer.finish(offsets: [0] + ends.map(Int64.init), train: 0..<1, valid: 1..<ends.count, metadata: try PreparationOutput.json(fields),
                          trainFingerprint: fingerprint.finish(rows: trainCount, offsets: [0, trainCount]))
        return "vrnn prepare: \(output.path): \(trainCount) training and \(validCount) validation characters, vocabulary \(vocabulary.count)"
            + (outside > 0 ? ", \(outside) characters outside it replaced by '?'" : "")
    }

    /// CSV files as real-valued sequences: one file is one sequence, a folder many. `columns`
    /// are header names or 0-based indices (nil: every column holding numbers; the others are
    /// named in the summary). `rawColumns` (names or indices) are kept unnormalised.
    public static func csv(_ inputs: [String], columns: [String]?, rawColumns: [String]? = nil, missing: CSVSequence.Missing,
                           delimiter: UnicodeScalar = ",", output: PreparationOutput) throws -> String {
        for (flag, list) in [("--columns", columns), ("--raw-columns", rawColumns)] where list.map({ $0.isEmpty || $0.contains("") }) == true {
            throw UserError("\(flag) names an empty column; give header names or 0-based indices, comma-separated (e.g. \(flag) x,y)")
        }
        let (files, validCount) = try output.splitFiles(inputs, extensions: ["csv"])
        // What each file's first read found: its columns, those left out, missing values handled.
        var found: [Int: CSVSequence.Read] = [:]
        let read = { (i: Int) throws -> FrameSequence in
            let read = try CSVSequence.read(files[i], columns: columns, missing: missing, delimiter: delimiter)
            if let first = found[0], read.header != first.header {   // file 0 is read first
                throw UserError("\(files[i]): columns \(read.header.joined(separator: ", ")) differ from the first file's "
                                + "\(first.header.joined(separator: ", ")); choose the same columns with --columns")
            }
            if found[i] == nil { var summary = read; summary.sequence.values = []; found[i] = summary }
            return read.sequence
        }
        _ = try read(0)
        let names = found[0]!.header
        return try output.writeFrames(count: files.count, validCount: validCount, read: read, columns: names, rawColumns: rawColumns ?? []) {
            let dropped = found.values.reduce(0) { $0 + $1.dropped }, filled = found.values.reduce(0) { $0 + $1.filled }
            var note = dropped > 0 ? "; \(dropped) rows with missing values dropped" : filled > 0 ? "; \(filled) missing values interpolated" : ""
            if let skipped = found[0]?.skipped, !skipped.isEmpty {
                note += "; columns used: \(names.joined(separator: ", ")); left out as not numbers: \(skipped.joined(separator: ", ")) "
                    + "(choose the columns with --columns)"
            }
            return (["kind": "csv", "files": files.count, "missing": missing.rawValue, "rows_dropped": dropped, "values_interpolated": filled], note)
        }
    }

    /// Audio files (every format libsndfile reads; headerless PCM with `raw`) cut into frames of
    /// `frame` samples: one file is one sequence. Channels are mixed down unless `channel` picks
    /// one. `scaling` .global normalises the waveform with one mean and standard deviation, as the
    /// VRNN paper does; .perPosition each position in the frame on its own.
    public static func audio(_ inputs: [String], frame: Int, channel: Int? = nil, raw: AudioFile.Raw? = nil,
                             scaling: FrameScaling = .global, output: PreparationOutput) throws -> String {
        let (files, validCount) = try output.splitFiles(inputs, extensions: raw == nil ? AudioFile.extensions : ["raw", "pcm"])
        var found: [Int: AudioFile.Read] = [:]   // each file's first read, without its samples
        let read = { (i: Int) throws -> FrameSequence in
            let read = try AudioFile.frames(files[i], frameSize: frame, channel: channel, raw: raw)
            if let first = found[0], read.sampleRate != first.sampleRate {
                throw UserError("\(files[i]) is sampled at \(read.sampleRate) Hz, \(files[0]) at \(first.sampleRate) Hz; resample them to one rate")
            }
            if found[i] == nil { var summary = read; summary.sequence.values = []; found[i] = summary }
            return read.sequence
        }
        // A waveform has no 0/1 columns: silent stretches must not leave frame positions unscaled.
        return try output.writeFrames(count: files.count, validCount: validCount, read: read, detectBinary: false, scaling: scaling) {
            let dropped = found.values.reduce(0) { $0 + $1.droppedSamples }
            let mixed = found.values.contains { $0.channels > 1 }
                ? (channel.map { "; channel \($0) of each file" } ?? "; channels mixed down to one (--channel picks one)") : ""
            return (["kind": "audio", "files": files.count, "frame": frame, "sample_rate": found[0]!.sampleRate,
                     "samples_dropped": dropped, "channel": channel.map { "\($0)" } ?? "mixed"],
                    mixed + (dropped > 0 ? "; \(dropped) trailing samples short of a frame dropped" : ""))
        }
    }

    /// NumPy arrays, float32 or float64 [T, D]: one file is one sequence.
    public static func npy(_ inputs: [String], rawColumns: [String] = [], output: PreparationOutput) throws -> String {
        let (files, validCount) = try output.splitFiles(inputs, extensions: ["npy"])
        return try output.writeFrames(count: files.count, validCount: validCount, read: { try NPYFile.read(files[$0]) }, rawColumns: rawColumns) {
            (["kind": "npy", "files": files.count], "")
        }
    }

    /// The built-in pen-trajectory dataset, deterministic from `seed`: frames [dx, dy, pen-up] of
    /// figures drawn side by side (PenTask). dx and dy are normalised with the training split's
    /// statistics; the pen-up bit is kept as 0/1. The metadata names the pen head, which
    /// training then uses unless told otherwise.
    public static func synthetic(task: PenTask, sequences: Int, figures: Int, jitter: Float, seed: UInt64,
                                 output: PreparationOutput) throws -> String {
        guard output.validInputs.isEmpty else {
            throw UserError("--valid names validation files, but prepare synthetic makes its data; its split is --valid-fraction")
        }
        try output.checkWritable(inputs: [])
        // Frames of 3 values per point, held about four times over (made, split, normalised, written).
        let pointsPerFigure = Double(task.sequence(seed: seed, index: 0, figures: 1, jitter: jitter).frames.count / 3)
        try MemoryBudget.check(floats: 4 * 3 * Double(sequences) * Double(figures) * pointsPerFigure,
                               for: "\(sequences) sequences of \(figures) figures", lower: "--sequences or --figures")
        let made = (0..<sequences).map {
            FrameSequence(values: task.sequence(seed: seed, index: $0, figures: figures, jitter: jitter).frames.map(Double.init), dim: 3)
        }
        return try output.writeFrames(count: made.count, validCount: nil, read: { made[$0] }, columns: ["dx", "dy", "pen_up"], rawColumns: ["pen_up"]) {
            (["kind": "synthetic", "task": task.rawValue, "sequences": sequences, "figures": figures, "seed": seed, "jitter": jitter,
              "head": "pen"], "")
        }
    }
}
