import Storage
import Training

extension SequenceData {
    /// Training data from a slice of a prepared dataset held in memory.
    init(_ slice: (values: SequenceDataset.Values, offsets: [Int])) {
        switch slice.values {
        case .tokens(let tokens, let vocabulary): self.init(.tokens(tokens, vocabulary: vocabulary.count), offsets: slice.offsets)
        case .frames(let frames, let d, _, _): self.init(.frames(frames, dim: d), offsets: slice.offsets)
        }
    }

    /// The rows of a range of a dataset file's sequences, read from the file window by window.
    init(_ dataset: StoredDataset, sequences: Range<Int>) {
        let first = Int(dataset.offsets[sequences.lowerBound])
        let offsets = dataset.offsets[sequences.lowerBound...sequences.upperBound].map { Int($0) - first }
        let shape: Shape
        switch dataset.kind {
        case .tokens(let vocabulary): shape = .tokens(vocabulary: vocabulary.count)
        case .frames(let d, _, _): shape = .frames(dim: d)
        }
        self.init(shape: shape, rowCount: offsets.last!, offsets: offsets, source: DatasetRows(dataset: dataset, first: first))
    }
}

/// A dataset file's rows from `first` on, as a RowSource.
final class DatasetRows: RowSource {
    let dataset: StoredDataset
    let first: Int
    init(dataset: StoredDataset, first: Int) { self.dataset = dataset; self.first = first }

    func readTokens(_ range: Range<Int>, into destination: UnsafeMutablePointer<Int32>) throws {
        try dataset.readTokens(range.lowerBound + first..<range.upperBound + first, into: destination)
    }

    func readFrames(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        try dataset.readFrames(range.lowerBound + first..<range.upperBound + first, into: destination)
    }
}
