import VRNN

/// Rows read on demand, such as a dataset file's: a run then holds only the rows of its current
/// window. A source is read by one rank's one thread.
public protocol RowSource: AnyObject {
    /// Token ids of rows `range` (text).
    func readTokens(_ range: Range<Int>, into destination: UnsafeMutablePointer<Int32>) throws
    /// Frames of rows `range`, [range.count, D] (real values).
    func readFrames(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws
}

/// The rows a run reads: token ids (text) or real-valued frames [rows, D], held in memory or read
/// from a RowSource window by window, with sequence boundaries `offsets` ([S+1], first 0, last = rows).
public struct SequenceData: @unchecked Sendable {
    public enum Values: Sendable {
        case tokens([Int32], vocabulary: Int)
        case frames([Float], dim: Int)
    }

    /// What a row is: a token of a vocabulary, or a frame of D values.
    public enum Shape: Equatable, Sendable {
        case tokens(vocabulary: Int)
        case frames(dim: Int)
    }

    enum Rows {
        case memory(Values)
        case source(RowSource)
    }

    public let shape: Shape
    public let offsets: [Int]
    public let rowCount: Int
    let rows: Rows

    public init(_ values: Values, offsets: [Int]? = nil) {
        switch values {
        case .tokens(let t, let v): shape = .tokens(vocabulary: v); rowCount = t.count
        case .frames(let f, let d): shape = .frames(dim: d); rowCount = f.count / d
        }
        rows = .memory(values)
        self.offsets = offsets ?? [0, rowCount]
    }

    /// `rowCount` rows of `shape` read from `source` on demand.
    public init(shape: Shape, rowCount: Int, offsets: [Int]? = nil, source: RowSource) {
        self.shape = shape
        self.rowCount = rowCount
        self.offsets = offsets ?? [0, rowCount]
        rows = .source(source)
    }

    /// One line naming the mismatch between this data and what the model reads, or nil.
    public func mismatch(with config: ModelConfig) -> String? {
        switch (shape, config.input) {
        case (.tokens(let v), .categorical):
            return v <= config.inputSize ? nil : "the data's vocabulary of \(v) does not fit the model's \(config.inputSize) inputs"
        case (.frames(let d), .real):
            guard d == config.inputSize else { return "the data has \(d) values per step but the model reads \(config.inputSize)" }
            do { return try binaryTargetProblem(dim: d, head: config.head) } catch { return "\(error)" }
        case (.tokens, .real): return "the data is text but the model reads real-valued frames"
        case (.frames, .categorical): return "the data is real-valued but the model reads text (use a gaussian, bernoulli or gmm head)"
        }
    }

    /// The Bernoulli head models every column as 0 or 1, the pen head its last (pen-up) column;
    /// any other value there has no lower bound on its loss. One line naming the first such value.
    func binaryTargetProblem(dim d: Int, head: ModelConfig.Head) throws -> String? {
        let columns: [Int]
        switch head {
        case .bernoulli: columns = Array(0..<d)
        case .pen: columns = [d - 1]
        case .categorical, .gaussian, .gmm: return nil
        }
        var problem: String?
        try scan { first, chunk in
            guard case .frames(let values) = chunk else { return true }
            for row in 0..<values.count / d {
                for column in columns where values[row * d + column] != 0 && values[row * d + column] != 1 {
                    problem = "the \(head.rawValue) head models \(head == .pen ? "its pen-up column" : "every column") as 0 or 1, but column \(column) "
                        + "holds \(values[row * d + column]) at row \(first + row); `vrnn prepare` keeps columns of 0s and 1s unnormalised "
                        + "(--raw-columns chooses them), or choose another --head"
                    return false
                }
            }
            return true
        }
        return problem
    }

    /// A run of consecutive rows, as `scan` hands them over.
    enum Chunk {
        case tokens(UnsafeBufferPointer<Int32>)
        case frames(UnsafeBufferPointer<Float>)
    }

    /// Every row in order, in chunks of at most 2^20 rows (all at once when in memory), to `body`
    /// with the chunk's first row; `body` returns false to stop.
    func scan(_ body: (Int, Chunk) -> Bool) throws {
        switch rows {
        case .memory(.tokens(let tokens, _)): _ = tokens.withUnsafeBufferPointer { body(0, .tokens($0)) }
        case .memory(.frames(let frames, _)): _ = frames.withUnsafeBufferPointer { body(0, .frames($0)) }
        case .source(let source):
            let chunk = 1 << 20
            for first in stride(from: 0, to: rowCount, by: chunk) {
                let range = first..<min(first + chunk, rowCount)
                let more: Bool
                switch shape {
                case .tokens:
                    var buffer = [Int32](repeating: 0, count: range.count)
                    more = try buffer.withUnsafeMutableBufferPointer { try source.readTokens(range, into: $0.baseAddress!); return body(first, .tokens(UnsafeBufferPointer($0))) }
                case .frames(let d):
                    var buffer = [Float](repeating: 0, count: range.count * d)
                    more = try buffer.withUnsafeMutableBufferPointer { try source.readFrames(range, into: $0.baseAddress!); return body(first, .frames(UnsafeBufferPointer($0))) }
                }
                if !more { return }
            }
        }
    }

    /// Copies the given data rows into the window's inputs (row index per (t, b), time-major). A
    /// source is read once per run of consecutive rows of a stream (its window, or the pieces of
    /// it on either side of a range boundary).
    public func fill(_ workspace: WindowWorkspace, rows indices: [Int]) throws {
        switch rows {
        case .memory(.tokens(let tokens, _)):
            for (i, r) in indices.enumerated() { workspace.tokens[i] = tokens[r] }
        case .memory(.frames(let frames, let d)):
            frames.withUnsafeBufferPointer { source in
                for (i, r) in indices.enumerated() {
                    (workspace.frames.pointer + i * d).update(from: source.baseAddress! + r * d, count: d)
                }
            }
        case .source(let source):
            let batch = workspace.batch, steps = indices.count / batch
            var d = 1, text = true
            if case .frames(let dim) = shape { d = dim; text = false }
            var tokens = [Int32](repeating: 0, count: text ? steps : 0), frames = [Float](repeating: 0, count: text ? 0 : steps * d)
            for b in 0..<batch {
                var t = 0
                while t < steps {
                    var end = t + 1
                    while end < steps && indices[end * batch + b] == indices[(end - 1) * batch + b] + 1 { end += 1 }
                    let range = indices[t * batch + b]..<indices[(end - 1) * batch + b] + 1
                    switch shape {
                    case .tokens:
                        try tokens.withUnsafeMutableBufferPointer { try source.readTokens(range, into: $0.baseAddress!) }
                        for i in 0..<range.count { workspace.tokens[(t + i) * batch + b] = tokens[i] }
                    case .frames:
                        try frames.withUnsafeMutableBufferPointer { read in
                            try source.readFrames(range, into: read.baseAddress!)
                            for i in 0..<range.count { (workspace.frames.pointer + ((t + i) * batch + b) * d).update(from: read.baseAddress! + i * d, count: d) }
                        }
                    }
                    t = end
                }
            }
        }
    }
}

extension SequenceData {
    /// Identifies the data a run reads, so a resume on other data is refused (DataFingerprint).
    /// `vrnn prepare` stores it in the dataset, so training computes it only for older files.
    public func fingerprint() throws -> String {
        var hash = DataFingerprint(shape)
        try scan { _, chunk in
            switch chunk {
            case .tokens(let tokens): hash.add(tokens)
            case .frames(let frames): hash.add(frames)
            }
            return true
        }
        return hash.finish(rows: rowCount, offsets: offsets)
    }
}

/// Row and sequence counts and an FNV-1a hash of the values' bits and the boundaries, built a
/// block of rows at a time (so `vrnn prepare` can compute it while it writes).
public struct DataFingerprint {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    public init(_ shape: SequenceData.Shape) {
        switch shape {
        case .tokens(let vocabulary): mix(UInt64(vocabulary))
        case .frames(let d): mix(UInt64(d))
        }
    }

    private mutating func mix(_ word: UInt64) { hash = (hash ^ word) &* 0x0000_0100_0000_01b3 }

    public mutating func add(_ tokens: UnsafeBufferPointer<Int32>) { for t in tokens { mix(UInt64(UInt32(bitPattern: t))) } }
    public mutating func add(_ tokens: UnsafeBufferPointer<UInt8>) { for t in tokens { mix(UInt64(t)) } }
    public mutating func add(_ frames: UnsafeBufferPointer<Float>) { for f in frames { mix(UInt64(f.bitPattern)) } }

    public mutating func finish(rows: Int, offsets: [Int]) -> String {
        for o in offsets { mix(UInt64(o)) }
        return "rows \(rows), sequences \(offsets.count - 1), fnv1a64 " + String(hash, radix: 16)
    }
}
