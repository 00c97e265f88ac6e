/// One real-valued sequence read from a raw file: T frames of D values, row-major [T, D].
public struct FrameSequence: Equatable, Sendable {
    public var values: [Float]
    public let dim: Int
    public init(values: [Float], dim: Int) { self.values = values; self.dim = dim }
    public var length: Int { values.count / dim }
}

/// How `SequenceDataset.frames` scales the values.
public enum FrameScaling: String, CaseIterable, Sendable {
    /// One mean and standard deviation over every scaled column (a waveform cut into frames,
    /// as the VRNN paper normalises audio).
    case global
    /// A mean and standard deviation per column (features of different units).
    case perColumn = "per-column"
}

/// A real-valued dataset made from sequences, and what its normalisation found.
public struct PreparedFrames {
    public var dataset: SequenceDataset
    /// Columns kept as they are: asked for, or holding only 0s and 1s in the training split.
    public var rawColumns: [Int]
    /// Columns with one value throughout the training split (scaled by 1, not by their zero spread).
    public var constantColumns: [Int]
}

extension SequenceDataset {
    /// A real-valued dataset from sequences: `valid`, when given, is the validation split;
    /// otherwise the last `validFraction` of the sequences (or of the frames, when there is a
    /// single sequence) form it. Values are normalised
    /// with the training split's mean and standard deviation (per column or `global`), which are
    /// stored so samples can be mapped back. Columns in `rawColumns`, and with `detectBinary` every
    /// column whose training values are all 0 or 1 (a pen-up bit, a Bernoulli target), are kept as
    /// they are (mean 0, standard deviation 1). A constant column is centred but not scaled.
    public static func frames(_ sequences: [FrameSequence], validFraction: Double, valid: [FrameSequence]? = nil, metadata: String,
                              rawColumns: Set<Int> = [], detectBinary: Bool = true,
                              scaling: FrameScaling = .perColumn) throws -> PreparedFrames {
        guard let d = sequences.first?.dim, sequences.allSatisfy({ $0.dim == d }) else {
            throw HDF5Error("the sequences must all have the same number of values per step")
        }
        guard (valid ?? []).allSatisfy({ $0.dim == d }) else {
            throw HDF5Error("the validation sequences have another number of values per step than the training ones (\(d))")
        }
        var parts = sequences.filter { $0.length > 0 }
        guard !parts.isEmpty else { throw HDF5Error("no data: every sequence is empty") }
        var validCount = 0
        if let valid {
            let validParts = valid.filter { $0.length > 0 }
            parts += validParts
            validCount = validParts.count
        } else if parts.count == 1 && validFraction > 0 {
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
        func column(_ j: Int) -> StrideTo<Int> { stride(from: j, to: trainValues, by: d) }
        let raw = (0..<d).filter { j in rawColumns.contains(j) || (detectBinary && column(j).allSatisfy { values[$0] == 0 || values[$0] == 1 }) }
        let scaled = (0..<d).filter { !raw.contains($0) }
        // Sums in Double: mean and variance of each column, or of all scaled columns together.
        func moments(_ columns: [Int]) -> (mean: Double, std: Double) {
            var sum = 0.0, count = 0.0
            for j in columns { for i in column(j) { sum += Double(values[i]) }; count += Double(trainValues / d) }
            let m = sum / max(count, 1)
            var squares = 0.0
            for j in columns { for i in column(j) { squares += (Double(values[i]) - m) * (Double(values[i]) - m) } }
            return (m, (squares / max(count, 1)).squareRoot())
        }
        var mean = [Float](repeating: 0, count: d), std = [Float](repeating: 1, count: d)
        var constant: [Int] = []
        let groups = scaling == .global ? (scaled.isEmpty ? [] : [scaled]) : scaled.map { [$0] }
        for group in groups {
            let (m, s) = moments(group)
            // A spread that vanishes beside the values' size is no spread: dividing by it would blow
            // any later difference up (a constant training column, a slightly different validation value).
            let flat = s <= 1e-6 * max(abs(m), 1)
            if flat { constant += group }
            for j in group { mean[j] = Float(m); std[j] = flat ? 1 : Float(s) }
        }
        for i in values.indices { values[i] = (values[i] - mean[i % d]) / std[i % d] }
        let dataset = SequenceDataset(values: .frames(values, dim: d, mean: mean, std: std), offsets: offsets,
                                      train: 0..<trainCount, valid: trainCount..<parts.count, metadata: metadata)
        return PreparedFrames(dataset: dataset, rawColumns: raw, constantColumns: constant)
    }
}
