/// One real-valued sequence read from a raw file: T frames of D values, row-major [T, D], in
/// Double, so that statistics and normalisation see every digit the file holds (an epoch
/// timestamp loses its seconds in Float); the dataset stores the normalised values as Float.
public struct FrameSequence: Equatable, Sendable {
    public var values: [Double]
    public let dim: Int
    public init(values: [Double], dim: Int) { self.values = values; self.dim = dim }
    public var length: Int { values.count / dim }
}

/// How `FramePlan` scales the values.
public enum FrameScaling: String, CaseIterable, Sendable {
    /// One mean and standard deviation over every scaled column (a waveform cut into frames,
    /// as the VRNN paper normalises audio).
    case global
    /// A mean and standard deviation per column (features of different units).
    case perPosition = "per-position"
}

/// How real-valued sequences become a dataset, decided in one pass over them (each read once,
/// one at a time): which rows of which sequence form each stored sequence (the training ones
/// first), and how each column is scaled. The rows are then read again and written scaled.
///
/// The validation split is `valid` sequences named by the caller (the last ones), or else the last
/// `validFraction` of the non-empty sequences (at least one, leaving one for training), or of
/// the frames of a single sequence. Values are normalised with the training split's mean and
/// standard deviation (per column or `global`), which are stored so samples can be mapped back.
/// Columns in `rawColumns`, and with `detectBinary` every column whose training values are all 0
/// or 1 (a pen-up bit, a Bernoulli target), are kept as they are (mean 0, standard deviation 1).
/// A constant column is centred but not scaled.
public struct FramePlan {
    /// Per stored sequence, in order: the source sequence and its rows.
    public var parts: [(sequence: Int, rows: Range<Int>)]
    public var trainCount: Int
    public let dim: Int
    public var mean: [Float]
    public var std: [Float]
    /// The same in Double, as applied.
    let centre: [Double], scale: [Double]
    public var rawColumns: [Int]
    public var constantColumns: [Int]
    public var rowCount: Int { parts.reduce(0) { $0 + $1.rows.count } }

    /// Mean, sum of squared deviations and 0/1-ness of each column of a set of rows (Welford's
    /// running form in Double, combined by Chan's formula), so no pass holds more than one sequence.
    struct Moments {
        var count = 0.0
        var mean: [Double], squares: [Double]
        var binary: [Bool]
        /// Whether every value equals the first one seen (`first`).
        var constant: [Bool], first: [Double] = []
        init(dim: Int) {
            mean = Array(repeating: 0, count: dim); squares = mean
            binary = Array(repeating: true, count: dim); constant = binary
        }

        mutating func add(_ values: ArraySlice<Double>, dim d: Int) {
            var row = values.startIndex
            if first.isEmpty && row < values.endIndex { first = Array(values[row..<row + d]) }
            while row < values.endIndex {
                count += 1
                for j in 0..<d {
                    let x = values[row + j], delta = x - mean[j]
                    mean[j] += delta / count
                    squares[j] += delta * (x - mean[j])
                    if x != 0 && x != 1 { binary[j] = false }
                    if x != first[j] { constant[j] = false }
                }
                row += d
            }
        }

        mutating func add(_ other: Moments) {
            guard other.count > 0 else { return }
            let total = count + other.count
            for j in mean.indices {
                let delta = other.mean[j] - mean[j]
                squares[j] += other.squares[j] + delta * delta * count * other.count / total
                mean[j] += delta * other.count / total
                binary[j] = binary[j] && other.binary[j]
                constant[j] = constant[j] && other.constant[j] && (first.isEmpty || other.first[j] == first[j])
            }
            if first.isEmpty { first = other.first }
            count = total
        }

        /// Mean and standard deviation over the columns `group` together, and whether they all
        /// hold one value throughout.
        func pooled(_ group: [Int]) -> (mean: Double, std: Double, constant: Bool) {
            var all = Moments(dim: 1)
            for j in group {
                var column = Moments(dim: 1)
                column.count = count; column.mean = [mean[j]]; column.squares = [squares[j]]
                column.constant = [constant[j]]; column.first = first.isEmpty ? [] : [first[j]]
                all.add(column)
            }
            return (all.mean[0], (all.squares[0] / max(all.count, 1)).squareRoot(), all.constant[0])
        }
    }

    public init(count: Int, validCount: Int? = nil, validFraction: Double, rawColumns: Set<Int> = [], detectBinary: Bool = true,
                scaling: FrameScaling = .perPosition, read: (Int) throws -> FrameSequence) throws {
        var dim: Int?, lengths: [Int] = [], moments: [Moments] = []
        for i in 0..<count {
            let sequence = try read(i)
            if dim == nil { dim = sequence.dim }
            guard sequence.dim == dim else {
                throw HDF5Error("the sequences must all have the same number of values per step (\(dim!) and \(sequence.dim))")
            }
            lengths.append(sequence.length)
            var m = Moments(dim: sequence.dim)
            // A lone sequence split by a fraction is measured on its training head only.
            let measured = count == 1 && validCount == nil && validFraction > 0
                ? sequence.length - Int((Double(sequence.length) * validFraction).rounded()) : sequence.length
            m.add(sequence.values[0..<measured * sequence.dim], dim: sequence.dim)
            moments.append(m)
        }
        guard let d = dim, lengths.contains(where: { $0 > 0 }) else { throw HDF5Error("no data: every sequence is empty") }
        self.dim = d
        let nonEmpty = (0..<count).filter { lengths[$0] > 0 }
        var parts = nonEmpty.map { (sequence: $0, rows: 0..<lengths[$0]) }
        var training = Moments(dim: d)
        if let validCount {
            trainCount = nonEmpty.filter { $0 < count - validCount }.count
            for (i, _) in parts.prefix(trainCount) { training.add(moments[i]) }
        } else if parts.count == 1 && validFraction > 0 {
            // One sequence: its tail is the validation part; the statistics are its head's.
            let (i, rows) = parts[0], validLength = Int((Double(rows.count) * validFraction).rounded())
            let head = 0..<rows.count - validLength
            parts = [(i, head), (i, head.upperBound..<rows.count)].filter { !$0.rows.isEmpty }
            trainCount = head.isEmpty ? 0 : 1
            if count == 1 { training.add(moments[i]) } else if !head.isEmpty { training.add(try read(i).values[0..<head.count * d], dim: d) }
        } else {
            let validParts = validFraction > 0 && parts.count > 1 ? min(max(Int((Double(parts.count) * validFraction).rounded()), 1), parts.count - 1) : 0
            trainCount = parts.count - validParts
            for (i, _) in parts.prefix(trainCount) { training.add(moments[i]) }
        }
        self.parts = parts
        let raw = (0..<d).filter { rawColumns.contains($0) || (detectBinary && training.count > 0 && training.binary[$0]) }
        let scaled = (0..<d).filter { !raw.contains($0) }
        var mean = [Float](repeating: 0, count: d), std = [Float](repeating: 1, count: d), constant: [Int] = []
        var centre = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        for group in scaling == .global ? (scaled.isEmpty ? [] : [scaled]) : scaled.map({ [$0] }) {
            let (m, s, flat) = training.pooled(group)
            // A column with one value has no spread to divide by: dividing would blow any later
            // difference up (a slightly different validation value); it is centred only.
            if flat { constant += group }
            for j in group { centre[j] = m; scale[j] = flat ? 1 : s; mean[j] = Float(m); std[j] = Float(scale[j]) }
        }
        self.centre = centre
        self.scale = scale
        self.mean = mean
        self.std = std
        self.rawColumns = raw
        self.constantColumns = constant
    }

    /// The stored sequences' boundaries [S+1].
    public var offsets: [Int64] { parts.reduce(into: [Int64(0)]) { $0.append($0.last! + Int64($1.rows.count)) } }

    /// Each stored sequence's frames, scaled, in order (`read` gives the source sequences again;
    /// a lone sequence split in two is asked for twice in a row).
    public func forEachScaled(read: (Int) throws -> FrameSequence, _ body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        for (i, rows) in parts {
            let sequence = try read(i)
            // Centred and scaled in Double, then stored as Float.
            let first = rows.lowerBound * dim
            let values = (0..<rows.count * dim).map { k in Float((sequence.values[first + k] - centre[k % dim]) / scale[k % dim]) }
            try values.withUnsafeBufferPointer(body)
        }
    }

    public var kind: StoredDataset.Kind { .frames(dim: dim, mean: mean, std: std) }
}
