import Storage
import Training

extension SequenceData {
    /// Training data from a slice of a prepared dataset.
    init(_ slice: (values: SequenceDataset.Values, offsets: [Int])) {
        switch slice.values {
        case .tokens(let tokens, let vocabulary): self.init(.tokens(tokens, vocabulary: vocabulary.count), offsets: slice.offsets)
        case .frames(let frames, let d, _, _): self.init(.frames(frames, dim: d), offsets: slice.offsets)
        }
    }
}
