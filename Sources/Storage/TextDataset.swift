import Foundation

/// A prepared text dataset (ARCHITECTURE §6): root attributes `format` = "vrnn-dataset",
/// `format_version`, `metadata` (JSON); `/data` int32 token ids [N]; `/offsets` int64 [S+1]
/// (sequence boundaries); `/vocab` uint8 [V] (the byte each id stands for); and `/splits/train`,
/// `/splits/valid` int64 [2], half-open ranges of sequence indices. A text file becomes two
/// sequences: its first part for training and its last part for validation.
public struct TextDataset: Equatable {
    public static let format = "vrnn-dataset"
    public static let formatVersion: Int64 = 1

    public var tokens: [Int32]
    public var offsets: [Int64]
    public var vocabulary: [UInt8]
    public var train: Range<Int>
    public var valid: Range<Int>
    public var metadata: String

    public init(tokens: [Int32], offsets: [Int64], vocabulary: [UInt8], train: Range<Int>, valid: Range<Int>, metadata: String) {
        self.tokens = tokens; self.offsets = offsets; self.vocabulary = vocabulary
        self.train = train; self.valid = valid; self.metadata = metadata
    }

    /// The tokens of a range of sequences, back to back.
    public func tokens(of sequences: Range<Int>) -> [Int32] {
        guard !sequences.isEmpty else { return [] }
        return Array(tokens[Int(offsets[sequences.lowerBound])..<Int(offsets[sequences.upperBound])])
    }

    public func write(to path: String, overwrite: Bool) throws {
        let writer = try HDF5Writer(creatingAt: path, overwrite: overwrite)
        try writer.setAttribute("format", Self.format)
        try writer.setAttribute("format_version", Self.formatVersion)
        try writer.setAttribute("metadata", metadata)
        try writer.write(tokens, shape: [tokens.count], to: "data")
        try writer.write(offsets, shape: [offsets.count], to: "offsets")
        try writer.write(vocabulary, shape: [vocabulary.count], to: "vocab")
        try writer.write([Int64(train.lowerBound), Int64(train.upperBound)], shape: [2], to: "splits/train")
        try writer.write([Int64(valid.lowerBound), Int64(valid.upperBound)], shape: [2], to: "splits/valid")
        try writer.commit()
    }

    /// Reads and checks a dataset file; every problem is one line naming the file and what is wrong.
    public init(readingAt path: String) throws {
        let file = try HDF5File(readingAt: path)
        let format = (try? file.stringAttribute("format")) ?? "(none)"
        guard format == Self.format else {
            throw HDF5Error("\(path): not a vrnn dataset (format \(format)); make one with `vrnn prepare`")
        }
        let version = Int64(try file.doubleAttribute("format_version"))
        guard version <= Self.formatVersion else {
            throw HDF5Error("\(path): dataset format version \(version) is newer than this vrnn reads (\(Self.formatVersion)); update vrnn")
        }
        metadata = (try? file.stringAttribute("metadata")) ?? "{}"
        let data = try file.readInt32s("data"), offsets = try file.readDoubles("offsets"), vocab = try file.readInt32s("vocab")
        guard data.shape.count == 1 else { throw HDF5Error("\(path): /data has shape \(data.shape); a text dataset needs [N]") }
        tokens = data.values
        self.offsets = offsets.values.map { Int64($0) }
        vocabulary = vocab.values.map { UInt8(truncatingIfNeeded: $0) }
        let trainRange = try file.readDoubles("splits/train").values, validRange = try file.readDoubles("splits/valid").values
        guard trainRange.count == 2, validRange.count == 2 else { throw HDF5Error("\(path): /splits/train and /splits/valid must hold [first, end)") }
        train = Int(trainRange[0])..<Int(max(trainRange[0], trainRange[1]))
        valid = Int(validRange[0])..<Int(max(validRange[0], validRange[1]))
        let sequences = self.offsets.count - 1
        guard !tokens.isEmpty else { throw HDF5Error("\(path): the dataset is empty") }
        guard !vocabulary.isEmpty, tokens.allSatisfy({ $0 >= 0 && Int($0) < vocabulary.count }) else {
            throw HDF5Error("\(path): /data holds token ids outside the vocabulary of \(vocabulary.count)")
        }
        guard sequences >= 1, self.offsets.first == 0, self.offsets.last == Int64(tokens.count),
              zip(self.offsets, self.offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw HDF5Error("\(path): /offsets does not describe sequences covering /data")
        }
        guard train.upperBound <= sequences, valid.upperBound <= sequences else {
            throw HDF5Error("\(path): a split names sequences beyond the \(sequences) stored")
        }
    }
}
