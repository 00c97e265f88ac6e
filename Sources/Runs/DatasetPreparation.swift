import Foundation
import Pen
import Storage

/// `vrnn prepare`: raw data into a dataset file. Each kind returns its one-line summary.
public enum DatasetPreparation {
    /// ascii: the fixed 128-character vocabulary of the reference notebook; data: the bytes the text uses.
    public enum TextVocabulary: String, CaseIterable, Sendable { case ascii, data }

    /// A text file (bytes or UTF-8) as one token stream; its last part becomes the validation
    /// split, or the `validInputs` files do (one stream each).
    public static func text(_ input: String, vocabulary vocab: TextVocabulary, output: PreparationOutput) throws -> String {
        let (train, valid) = try output.readSplits([input], extensions: ["txt"], EncodedText.read)
        let bytes = train.reduce(Data(), +), validBytes = valid ?? []
        let used = validBytes.reduce(into: Set(bytes)) { $0.formUnion($1) }
        let vocabulary = vocab == .ascii ? EncodedText.ascii : Array(used).sorted()
        let text = try EncodedText(bytes: bytes + validBytes.reduce(Data(), +), vocabulary: vocabulary, source: input)
        let tokens = text.tokens, outside = text.replaced
        // Sequence ends: [0, train, end] for a fraction; [0, train, file 1 end, ...] for --valid files.
        var ends: [Int]
        if valid != nil {
            ends = [bytes.count]
            for file in validBytes { ends.append(ends.last! + file.count) }
        } else {
            let validCount = Int((Double(tokens.count) * output.validFraction).rounded())
            ends = [tokens.count - validCount] + (validCount > 0 ? [tokens.count] : [])
        }
        let trainCount = ends[0], validCount = tokens.count - trainCount
        guard trainCount >= 1 else {
            throw UserError("\(input): --valid-fraction \(output.validFraction) leaves no training text of \(tokens.count) characters; lower it")
        }
        var fields: [String: Any] = ["kind": "text", "source": (input as NSString).lastPathComponent, "vocab": vocab.rawValue,
                                     "characters": tokens.count, "outside_vocabulary_replaced": outside]
        if valid == nil { fields["valid_fraction"] = output.validFraction } else { fields["valid_files"] = output.validInputs }
        let dataset = SequenceDataset(values: .tokens(tokens, vocabulary: text.vocabulary), offsets: [0] + ends.map(Int64.init),
                                      train: 0..<1, valid: 1..<ends.count, metadata: try PreparationOutput.json(fields))
        try dataset.writeFingerprinted(to: output.path, overwrite: output.force)
        return "vrnn prepare: \(output.path): \(trainCount) training and \(validCount) validation characters, vocabulary \(text.vocabulary.count)"
            + (outside > 0 ? ", \(outside) characters outside it replaced by '?'" : "")
    }

    /// CSV files as real-valued sequences: one file is one sequence, a folder many. `columns`
    /// are header names or 0-based indices (nil: every column holding numbers; the others are
    /// named in the summary). `rawColumns` (names or indices) are kept unnormalised.
    public static func csv(_ inputs: [String], columns: [String]?, rawColumns: [String]? = nil, missing: CSVSequence.Missing,
                           output: PreparationOutput) throws -> String {
        for (flag, list) in [("--columns", columns), ("--raw-columns", rawColumns)] where list.map({ $0.isEmpty || $0.contains("") }) == true {
            throw UserError("\(flag) names an empty column; give header names or 0-based indices, comma-separated (e.g. \(flag) x,y)")
        }
        let (train, valid) = try output.readSplits(inputs, extensions: ["csv"]) { file in
            (file, try CSVSequence.read(file, columns: columns, missing: missing))
        }
        let all = train + (valid ?? [])
        let names = all[0].1.header
        if let (file, other) = all.first(where: { $0.1.header != names }) {
            throw UserError("\(file): columns \(other.header.joined(separator: ", ")) differ from the first file's "
                            + "\(names.joined(separator: ", ")); choose the same columns with --columns")
        }
        let dropped = all.reduce(0) { $0 + $1.1.dropped }, filled = all.reduce(0) { $0 + $1.1.filled }
        var note = dropped > 0 ? "; \(dropped) rows with missing values dropped" : filled > 0 ? "; \(filled) missing values interpolated" : ""
        let skipped = all[0].1.skipped
        if !skipped.isEmpty {
            note += "; columns used: \(names.joined(separator: ", ")); left out as not numbers: \(skipped.joined(separator: ", ")) "
                + "(choose the columns with --columns)"
        }
        return try output.writeFrames(train.map(\.1.sequence), valid: valid?.map(\.1.sequence),
                                      metadata: ["kind": "csv", "files": all.count, "missing": missing.rawValue,
                                                 "rows_dropped": dropped, "values_interpolated": filled],
                                      columns: names, rawColumns: rawColumns ?? [], note: note)
    }

    /// Audio files (every format libsndfile reads; headerless PCM with `raw`) cut into frames of
    /// `frame` samples: one file is one sequence. Channels are mixed down unless `channel` picks
    /// one. `scaling` .global normalises the waveform with one mean and standard deviation, as the
    /// VRNN paper does; .perColumn each position in the frame on its own.
    public static func audio(_ inputs: [String], frame: Int, channel: Int? = nil, raw: AudioFile.Raw? = nil,
                             scaling: FrameScaling = .global, output: PreparationOutput) throws -> String {
        let (train, valid) = try output.readSplits(inputs, extensions: raw == nil ? AudioFile.extensions : ["raw", "pcm"]) {
            try AudioFile.frames($0, frameSize: frame, channel: channel, raw: raw)
        }
        let all = train + (valid ?? [])
        let rates = Set(all.map(\.sampleRate)), dropped = all.reduce(0) { $0 + $1.droppedSamples }
        guard rates.count == 1 else { throw UserError("the files have different sample rates \(rates.sorted()); resample them to one") }
        let mixed = all.contains { $0.channels > 1 }
            ? (channel.map { "; channel \($0) of each file" } ?? "; channels mixed down to one (--channel picks one)") : ""
        return try output.writeFrames(train.map(\.sequence), valid: valid?.map(\.sequence),
                                      metadata: ["kind": "audio", "files": all.count, "frame": frame, "sample_rate": rates.first!,
                                                 "samples_dropped": dropped, "channel": channel.map { "\($0)" } ?? "mixed"],
                                      scaling: scaling,
                                      note: mixed + (dropped > 0 ? "; \(dropped) trailing samples short of a frame dropped" : ""))
    }

    /// NumPy arrays, float32 or float64 [T, D]: one file is one sequence.
    public static func npy(_ inputs: [String], rawColumns: [String] = [], output: PreparationOutput) throws -> String {
        let (train, valid) = try output.readSplits(inputs, extensions: ["npy"], NPYFile.read)
        let all = train + (valid ?? [])
        if let other = all.first(where: { $0.dim != all[0].dim }) {
            throw UserError("the arrays have different widths (\(all[0].dim) and \(other.dim)); every file needs the same D")
        }
        return try output.writeFrames(train, valid: valid, metadata: ["kind": "npy", "files": all.count], rawColumns: rawColumns)
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
            FrameSequence(values: task.sequence(seed: seed, index: $0, figures: figures, jitter: jitter).frames, dim: 3)
        }
        return try output.writeFrames(made, metadata: ["kind": "synthetic", "task": task.rawValue, "sequences": sequences,
                                                       "figures": figures, "seed": seed, "jitter": jitter, "head": "pen"],
                                      columns: ["dx", "dy", "pen_up"], rawColumns: ["pen_up"])
    }
}
