import Foundation

/// A prepared dataset (ARCHITECTURE §6). Root attributes: `format` = "vrnn-dataset",
/// `format_version`, `metadata` (JSON), and from version 2 `train_fingerprint` (the training
/// split's fingerprint, computed once by `vrnn prepare`) and `metadata_checksum` (MetadataDigest,
/// which protects the fingerprint). `/data` holds token ids [N] (uint8 from version 2, int32
/// before) for text, or float32 frames [N, D] (normalised). `/offsets` int64 [S+1] gives the sequence boundaries. Text adds
/// `/vocab` uint8 [V] (the byte each id stands for); frames add `/stats/mean` and `/stats/std`
/// [D] (from the training split, to undo the normalisation). `/splits/train` and `/splits/valid`
/// int64 [2] are half-open ranges of sequence indices.
public struct SequenceDataset: Equatable {
    public enum Values: Equatable {
        case tokens([Int32], vocabulary: [UInt8])
        case frames([Float], dim: Int, mean: [Float], std: [Float])
    }

    public var values: Values
    public var offsets: [Int64]
    public var train: Range<Int>
    public var valid: Range<Int>
    public var metadata: String
    /// The training split's fingerprint as training computes it (nil in version 1 files).
    public var trainFingerprint: String?

    public init(values: Values, offsets: [Int64], train: Range<Int>, valid: Range<Int>, metadata: String, trainFingerprint: String? = nil) {
        self.values = values; self.offsets = offsets; self.train = train; self.valid = valid; self.metadata = metadata
        self.trainFingerprint = trainFingerprint
    }

    /// What a row is, with the vocabulary or the statistics.
    public var kind: StoredDataset.Kind {
        switch values {
        case .tokens(_, let vocabulary): return .tokens(vocabulary: vocabulary)
        case .frames(_, let d, let mean, let std): return .frames(dim: d, mean: mean, std: std)
        }
    }

    /// Rows of the dataset: tokens, or frames of D values.
    public var rowCount: Int {
        switch values {
        case .tokens(let t, _): return t.count
        case .frames(let f, let d, _, _): return f.count / d
        }
    }

    /// The rows of a range of sequences, back to back, and their boundaries rebased to start at 0.
    public func slice(_ sequences: Range<Int>) -> (values: Values, offsets: [Int]) {
        let first = Int(offsets[sequences.lowerBound]), end = Int(offsets[sequences.upperBound])
        let bounds = offsets[sequences.lowerBound...sequences.upperBound].map { Int($0) - first }
        switch values {
        case .tokens(let t, let v): return (.tokens(Array(t[first..<end]), vocabulary: v), bounds)
        case .frames(let f, let d, let m, let s): return (.frames(Array(f[first * d..<end * d]), dim: d, mean: m, std: s), bounds)
        }
    }

    /// Writes the dataset (built in memory, then put in place whole; DatasetWriter).
    public func write(to path: String, overwrite: Bool) throws {
        let writer = try DatasetWriter(path: path, overwrite: overwrite, kind: kind, rows: rowCount, streaming: false)
        switch values {
        case .tokens(let tokens, _):
            try tokens.map { UInt8(truncatingIfNeeded: $0) }.withUnsafeBufferPointer { try writer.append($0) }
        case .frames(let frames, _, _, _):
            try frames.withUnsafeBufferPointer { try writer.append($0) }
        }
        try writer.finish(offsets: offsets, train: train, valid: valid, metadata: metadata, trainFingerprint: trainFingerprint)
    }

    /// Reads and checks a whole dataset file (through StoredDataset); every problem is one line
    /// naming the file and what is wrong.
    public init(readingAt path: String) throws {
        let stored = try StoredDataset(readingAt: path)
        let n = stored.rowCount
        switch stored.kind {
        case .tokens(let vocabulary):
            var tokens = [Int32](repeating: 0, count: n)
            try tokens.withUnsafeMutableBufferPointer { try stored.readTokens(0..<n, into: $0.baseAddress!) }
            values = .tokens(tokens, vocabulary: vocabulary)
        case .frames(let d, let mean, let std):
            var frames = [Float](repeating: 0, count: n * d)
            try frames.withUnsafeMutableBufferPointer { try stored.readFrames(0..<n, into: $0.baseAddress!) }
            values = .frames(frames, dim: d, mean: mean, std: std)
        }
        offsets = stored.offsets
        train = stored.train
        valid = stored.valid
        metadata = stored.metadata
        trainFingerprint = stored.trainFingerprint
    }
}
