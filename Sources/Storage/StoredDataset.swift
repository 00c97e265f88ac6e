/// A dataset file (see SequenceDataset for the layout) opened without reading its rows: its kind,
/// boundaries, splits and statistics, checked, and its rows on demand, each read checked too.
/// Training reads its windows through it, so a rank holds nothing proportional to the data;
/// `SequenceDataset(readingAt:)` reads every row through it.
public final class StoredDataset {
    public enum Kind: Equatable, Sendable {
        case tokens(vocabulary: [UInt8])
        case frames(dim: Int, mean: [Float], std: [Float])
    }

    public let path: String
    public let kind: Kind
    public let offsets: [Int64]
    public let train: Range<Int>
    public let valid: Range<Int>
    public let metadata: String
    /// The training split's fingerprint stored by `vrnn prepare` (nil in format 1 files).
    public let trainFingerprint: String?
    let rows: HDF5RowReader

    public var rowCount: Int { rows.rows }

    /// Opens and checks a dataset file; every problem is one line naming the file and what is wrong.
    public init(readingAt path: String) throws {
        let file = try HDF5File(readingAt: path)
        try FileFormat.dataset.check(file)
        // Version 2 adds the metadata checksum; version 1 files (vrnn 0.5 and 0.6) are read without one.
        if try file.doubleAttribute("format_version") >= 2 { try MetadataDigest.verify(file) }
        self.path = path
        metadata = (try? file.stringAttribute("metadata")) ?? "{}"
        trainFingerprint = try? file.stringAttribute("train_fingerprint")
        rows = try HDF5RowReader(file, "data")
        if file.exists("vocab") {
            try rows.expect(Int32.self)
            guard rows.rank == 1 else { throw HDF5Error("\(path): /data has shape \(try file.describe("data").shape); a text dataset needs [N]") }
            let vocabulary = try file.readInt32s("vocab").values.map { UInt8(truncatingIfNeeded: $0) }
            guard !vocabulary.isEmpty else { throw HDF5Error("\(path): /vocab is empty") }
            kind = .tokens(vocabulary: vocabulary)
        } else {
            try rows.expect(Float.self)
            guard rows.rank == 2, rows.width >= 1 else {
                throw HDF5Error("\(path): /data has shape \(try file.describe("data").shape); a real-valued dataset needs [N, D]")
            }
            let d = rows.width
            let mean = try file.readFloats("stats/mean").values, std = try file.readFloats("stats/std").values
            guard mean.count == d, std.count == d else { throw HDF5Error("\(path): /stats/mean and /stats/std must hold \(d) values") }
            kind = .frames(dim: d, mean: mean, std: std)
        }
        offsets = try file.readInt64s("offsets").values
        let trainRange = try file.readInt64s("splits/train").values, validRange = try file.readInt64s("splits/valid").values
        guard trainRange.count == 2, validRange.count == 2 else { throw HDF5Error("\(path): /splits/train and /splits/valid must hold [first, end)") }
        train = Int(trainRange[0])..<Int(max(trainRange[0], trainRange[1]))
        valid = Int(validRange[0])..<Int(max(validRange[0], validRange[1]))
        let rowCount = rows.rows, sequences = offsets.count - 1
        guard rowCount > 0 else { throw HDF5Error("\(path): the dataset is empty") }
        guard sequences >= 1, offsets.first == 0, offsets.last == Int64(rowCount),
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw HDF5Error("\(path): /offsets does not describe sequences covering /data")
        }
        guard train.lowerBound >= 0, train.upperBound <= sequences, valid.lowerBound >= 0, valid.upperBound <= sequences, !train.isEmpty else {
            throw HDF5Error("\(path): the splits name sequences beyond the \(sequences) stored, or the training split is empty")
        }
    }

    /// Token ids of rows `range`, each checked against the vocabulary.
    public func readTokens(_ range: Range<Int>, into destination: UnsafeMutablePointer<Int32>) throws {
        guard case .tokens(let vocabulary) = kind else { preconditionFailure("readTokens on frames") }
        try rows.read(range, into: destination)
        for i in 0..<range.count where destination[i] < 0 || Int(destination[i]) >= vocabulary.count {
            throw HDF5Error("\(path): /data holds token id \(destination[i]) at row \(range.lowerBound + i), outside the vocabulary of \(vocabulary.count)")
        }
    }

    /// Frames of rows `range` ([range.count, D]), each value checked to be finite.
    public func readFrames(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        try rows.read(range, into: destination)
        for i in 0..<range.count * rows.width where !destination[i].isFinite {
            throw HDF5Error("\(path): /data holds \(destination[i]) at row \(range.lowerBound + i / rows.width); the data must be finite")
        }
    }
}
