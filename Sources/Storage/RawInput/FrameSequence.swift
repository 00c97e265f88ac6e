/// One real-valued sequence read from a raw file: T frames of D values, row-major [T, D].
public struct FrameSequence: Equatable, Sendable {
    public var values: [Float]
    public let dim: Int
    public init(values: [Float], dim: Int) { self.values = values; self.dim = dim }
    public var length: Int { values.count / dim }
}

extension SequenceDataset {
    /// A real-valued dataset from sequences: the last `validFraction` of the sequences (or of the
    /// frames, when there is a single sequence) form the validation split; every value is
    /// normalised per dimension with the training split's mean and standard deviation, which
    /// are stored so samples can be mapped back. Columns in `rawColumns` (a pen-up bit) are kept
    /// as they are (mean 0, standard deviation 1).
    public static func frames(_ sequences: [FrameSequence], validFraction: Double, metadata: String,
                              rawColumns: Set<Int> = []) throws -> SequenceDataset {
        guard let d = sequences.first?.dim, sequences.allSatisfy({ $0.dim == d }) else {
            throw HDF5Error("the sequences must all have the same number of values per step")
        }
        var parts = sequences.filter { $0.length > 0 }
        guard !parts.isEmpty else { throw HDF5Error("no data: every sequence is empty") }
        var validCount = 0
        if parts.count == 1 && validFraction > 0 {
            // One sequence: its tail is the validation part.
            let whole = parts[0], validLength = Int((Double(whole.length) * validFraction).rounded())
            let trainLength = whole.length - validLength
            parts = [FrameSequence(values: Array(whole.values[0..<trainLength * d]), dim: d),
                     FrameSequence(values: Array(whole.values[(trainLength * d)...]), dim: d)].filter { $0.length > 0 }
            validCount = parts.count - 1
        } else if validFraction > 0 && parts.count > 1 {
            // At least one validation sequence when a fraction is asked for, and at least one for training.
            validCount = min(max(Int((Double(parts.count) * validFraction).rounded()), 1), parts.count - 1)
        }
        let trainCount = parts.count - validCount
        var offsets: [Int64] = [0]
        for part in parts { offsets.append(offsets.last! + Int64(part.length)) }
        var values = parts.flatMap(\.values)
        let trainValues = Int(offsets[trainCount]) * d
        var mean = [Float](repeating: 0, count: d), std = [Float](repeating: 1, count: d)
        for j in 0..<d where !rawColumns.contains(j) {
            let column = stride(from: j, to: trainValues, by: d).map { Double(values[$0]) }
            let m = column.reduce(0, +) / Double(column.count)
            let variance = column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(column.count)
            mean[j] = Float(m)
            std[j] = Float(max(variance.squareRoot(), 1e-6))
        }
        for i in values.indices { values[i] = (values[i] - mean[i % d]) / std[i % d] }
        return SequenceDataset(values: .frames(values, dim: d, mean: mean, std: std), offsets: offsets,
                               train: 0..<trainCount, valid: trainCount..<parts.count, metadata: metadata)
    }
}
