import Foundation
import Pen
import Storage

/// `vrnn prepare`: raw data into a dataset file. Each kind returns its one-line summary.
public enum DatasetPreparation {
    /// ascii: the fixed 128-character vocabulary of the reference notebook; data: the bytes the text uses.
    public enum TextVocabulary: String, CaseIterable, Sendable { case ascii, data }

    /// A text file (bytes or UTF-8) as one token stream; its last part becomes the validation split.
    public static func text(_ input: String, vocabulary vocab: TextVocabulary, output: PreparationOutput) throws -> String {
        try output.checkWritable(inputs: [input])
        let validFraction = output.validFraction
        let bytes = try EncodedText.read(input)
        let text = try EncodedText(bytes: bytes, vocabulary: vocab == .ascii ? EncodedText.ascii : Array(Set(bytes)).sorted(), source: input)
        let (tokens, vocabulary, outside) = (text.tokens, text.vocabulary, text.replaced)
        let validCount = Int((Double(tokens.count) * validFraction).rounded())
        let trainCount = tokens.count - validCount
        guard trainCount >= 1 else {
            throw UserError("\(input): --valid-fraction \(validFraction) leaves no training text of \(tokens.count) characters; lower it")
        }
        let metadata = try PreparationOutput.json(["kind": "text", "source": (input as NSString).lastPathComponent, "vocab": vocab.rawValue,
                                                   "characters": tokens.count, "outside_vocabulary_replaced": outside,
                                                   "valid_fraction": validFraction])
        let dataset = SequenceDataset(values: .tokens(tokens, vocabulary: vocabulary),
                                      offsets: [0, Int64(trainCount), Int64(tokens.count)],
                                      train: 0..<1, valid: validCount > 0 ? 1..<2 : 1..<1, metadata: metadata)
        try dataset.write(to: output.path, overwrite: output.force)
        return "vrnn prepare: \(output.path): \(trainCount) training and \(validCount) validation characters, vocabulary \(vocabulary.count)"
            + (outside > 0 ? ", \(outside) characters outside it replaced by '?'" : "")
    }

    /// CSV files as real-valued sequences: one file is one sequence, a folder many. `columns`
    /// are header names or 0-based indices (nil: all).
    public static func csv(_ inputs: [String], columns: [String]?, missing: CSVSequence.Missing, output: PreparationOutput) throws -> String {
        if let columns, columns.isEmpty || columns.contains("") {
            throw UserError("--columns names an empty column; give header names or 0-based indices, comma-separated (e.g. --columns x,y)")
        }
        let files = try PreparationOutput.expand(inputs, extension: "csv")
        try output.checkWritable(inputs: files)
        var sequences: [FrameSequence] = [], names: [String] = [], dropped = 0, filled = 0
        for file in files {
            let read = try CSVSequence.read(file, columns: columns, missing: missing)
            if !names.isEmpty && read.header != names {
                throw UserError("\(file): columns \(read.header.joined(separator: ", ")) differ from the first file's "
                                + "\(names.joined(separator: ", ")); choose the same columns with --columns")
            }
            names = read.header
            sequences.append(read.sequence)
            dropped += read.dropped
            filled += read.filled
        }
        let note = dropped > 0 ? "; \(dropped) rows with missing values dropped" : filled > 0 ? "; \(filled) missing values interpolated" : ""
        return try output.writeFrames(sequences, metadata: ["kind": "csv", "files": files.count, "columns": names, "missing": missing.rawValue,
                                                            "rows_dropped": dropped, "values_interpolated": filled], note: note)
    }

    /// 16-bit PCM mono WAV files cut into frames of `frame` samples: one file is one sequence.
    public static func wav(_ inputs: [String], frame: Int, output: PreparationOutput) throws -> String {
        let files = try PreparationOutput.expand(inputs, extension: "wav")
        try output.checkWritable(inputs: files)
        var sequences: [FrameSequence] = [], rates: Set<Int> = [], dropped = 0
        for file in files {
            let read = try WAVFile.frames(file, frameSize: frame)
            sequences.append(read.sequence)
            rates.insert(read.sampleRate)
            dropped += read.droppedSamples
        }
        guard rates.count == 1 else { throw UserError("the files have different sample rates \(rates.sorted()); resample them to one") }
        return try output.writeFrames(sequences, metadata: ["kind": "wav", "files": files.count, "frame": frame, "sample_rate": rates.first!,
                                                            "samples_dropped": dropped],
                                      note: dropped > 0 ? "; \(dropped) trailing samples short of a frame dropped" : "")
    }

    /// NumPy arrays, float32 or float64 [T, D]: one file is one sequence.
    public static func npy(_ inputs: [String], output: PreparationOutput) throws -> String {
        let files = try PreparationOutput.expand(inputs, extension: "npy")
        try output.checkWritable(inputs: files)
        let sequences = try files.map(NPYFile.read)
        if let other = sequences.first(where: { $0.dim != sequences[0].dim }) {
            throw UserError("the arrays have different widths (\(sequences[0].dim) and \(other.dim)); every file needs the same D")
        }
        return try output.writeFrames(sequences, metadata: ["kind": "npy", "files": files.count])
    }

    /// The built-in pen-trajectory dataset, deterministic from `seed`: frames [dx, dy, pen-up] of
    /// figures drawn side by side (PenTask). dx and dy are normalised with the training split's
    /// statistics; the pen-up bit is kept as 0/1. The metadata names the pen head, which
    /// training then uses unless told otherwise.
    public static func synthetic(task: PenTask, sequences: Int, figures: Int, jitter: Float, seed: UInt64,
                                 output: PreparationOutput) throws -> String {
        try output.checkWritable(inputs: [])
        // Frames of 3 values per point, held about four times over (made, split, normalised, written).
        let pointsPerFigure = Double(task.sequence(seed: seed, index: 0, figures: 1, jitter: jitter).frames.count / 3)
        try MemoryBudget.check(floats: 4 * 3 * Double(sequences) * Double(figures) * pointsPerFigure,
                               for: "\(sequences) sequences of \(figures) figures", lower: "--sequences or --figures")
        let made = (0..<sequences).map {
            FrameSequence(values: task.sequence(seed: seed, index: $0, figures: figures, jitter: jitter).frames, dim: 3)
        }
        return try output.writeFrames(made, metadata: ["kind": "synthetic", "task": task.rawValue, "sequences": sequences,
                                                       "figures": figures, "seed": seed, "jitter": jitter,
                                                       "columns": ["dx", "dy", "pen_up"], "head": "pen"],
                                      rawColumns: [2], note: " (the pen-up column kept as 0/1)")
    }
}
