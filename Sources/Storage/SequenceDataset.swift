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

    public func write(to path: String, overwrite: Bool) throws {
        let writer = try HDF5Writer(creatingAt: path, overwrite: overwrite)
        try FileFormat.dataset.stamp(writer)
        try writer.setAttribute("metadata", metadata)
        if let trainFingerprint { try writer.setAttribute("train_fingerprint", trainFingerprint) }
        switch values {
        case .tokens(let tokens, let vocabulary):
            // Ids index a vocabulary of bytes, so they fit in a byte.
            try writer.write(tokens.map { UInt8(truncatingIfNeeded: $0) }, shape: [tokens.count], to: "data")
            try writer.write(vocabulary, shape: [vocabulary.count], to: "vocab")
        case .frames(let frames, let d, let mean, let std):
            try writer.write(frames, shape: [frames.count / d, d], to: "data")
            try writer.write(mean, shape: [d], to: "stats/mean")
            try writer.write(std, shape: [d], to: "stats/std")
        }
        try writer.write(offsets, shape: [offsets.count], to: "offsets")
        try writer.write([Int64(train.lowerBound), Int64(train.upperBound)], shape: [2], to: "splits/train")
        try writer.write([Int64(valid.lowerBound), Int64(valid.upperBound)], shape: [2], to: "splits/valid")
        try MetadataDigest.stamp(writer)
        try writer.commit()
    }

    /// Reads and checks a dataset file; every problem is one line naming the file and what is wrong.
    public init(readingAt path: String) throws {
        let file = try HDF5File(readingAt: path)
        try FileFormat.dataset.check(file)
        // Version 2 adds the metadata checksum; version 1 files (vrnn 0.5 and 0.6) are read without one.
        if try file.doubleAttribute("format_version") >= 2 { try MetadataDigest.verify(file) }
        metadata = (try? file.stringAttribute("metadata")) ?? "{}"
        trainFingerprint = try? file.stringAttribute("train_fingerprint")
        if file.exists("vocab") {
            let data = try file.readInt32s("data")
            guard data.shape.count == 1 else { throw HDF5Error("\(path): /data has shape \(data.shape); a text dataset needs [N]") }
            let vocabulary = try file.readInt32s("vocab").values.map { UInt8(truncatingIfNeeded: $0) }
            guard !vocabulary.isEmpty, data.values.allSatisfy({ $0 >= 0 && Int($0) < vocabulary.count }) else {
                throw HDF5Error("\(path): /data holds token ids outside the vocabulary of \(vocabulary.count)")
            }
            values = .tokens(data.values, vocabulary: vocabulary)
        } else {
            let data = try file.readFloats("data")
            guard data.shape.count == 2, data.shape[1] >= 1 else {
                throw HDF5Error("\(path): /data has shape \(data.shape); a real-valued dataset needs [N, D]")
            }
            if let bad = data.values.firstIndex(where: { !$0.isFinite }) {
                throw HDF5Error("\(path): /data holds \(data.values[bad]) at row \(bad / data.shape[1]); the data must be finite")
            }
            let d = data.shape[1]
            let mean = try file.readFloats("stats/mean").values, std = try file.readFloats("stats/std").values
            guard mean.count == d, std.count == d else { throw HDF5Error("\(path): /stats/mean and /stats/std must hold \(d) values") }
            values = .frames(data.values, dim: d, mean: mean, std: std)
        }
        offsets = try file.readInt64s("offsets").values
        let trainRange = try file.readInt64s("splits/train").values, validRange = try file.readInt64s("splits/valid").values
        guard trainRange.count == 2, validRange.count == 2 else { throw HDF5Error("\(path): /splits/train and /splits/valid must hold [first, end)") }
        train = Int(trainRange[0])..<Int(max(trainRange[0], trainRange[1]))
        valid = Int(validRange[0])..<Int(max(validRange[0], validRange[1]))
        let rows = rowCount, sequences = offsets.count - 1
        guard rows > 0 else { throw HDF5Error("\(path): the dataset is empty") }
        guard sequences >= 1, offsets.first == 0, offsets.last == Int64(rows),
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw HDF5Error("\(path): /offsets does not describe sequences covering /data")
        }
        guard train.lowerBound >= 0, train.upperBound <= sequences, valid.lowerBound >= 0, valid.upperBound <= sequences, !train.isEmpty else {
            throw HDF5Error("\(path): the splits name sequences beyond the \(sequences) stored, or the training split is empty")
        }
    }
}
