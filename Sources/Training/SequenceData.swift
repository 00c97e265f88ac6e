import VRNN

/// The rows a run reads: token ids (text) or real-valued frames [rows, D], with sequence
/// boundaries `offsets` ([S+1], first 0, last = rows).
public struct SequenceData: Sendable {
    public enum Values: Sendable {
        case tokens([Int32], vocabulary: Int)
        case frames([Float], dim: Int)
    }

    public let values: Values
    public let offsets: [Int]

    public init(_ values: Values, offsets: [Int]? = nil) {
        self.values = values
        self.offsets = offsets ?? [0, Self.rowCount(values)]
    }

    public var rowCount: Int { Self.rowCount(values) }

    static func rowCount(_ values: Values) -> Int {
        switch values {
        case .tokens(let t, _): return t.count
        case .frames(let f, let d): return f.count / d
        }
    }

    /// One line naming the mismatch between this data and what the model reads, or nil.
    public func mismatch(with config: ModelConfig) -> String? {
        switch (values, config.input) {
        case (.tokens(_, let v), .categorical):
            return v <= config.inputSize ? nil : "the data's vocabulary of \(v) does not fit the model's \(config.inputSize) inputs"
        case (.frames(let values, let d), .real):
            guard d == config.inputSize else { return "the data has \(d) values per step but the model reads \(config.inputSize)" }
            return Self.binaryTargetProblem(values, dim: d, head: config.head)
        case (.tokens, .real): return "the data is text but the model reads real-valued frames"
        case (.frames, .categorical): return "the data is real-valued but the model reads text (use a gaussian, bernoulli or gmm head)"
        }
    }

    /// The Bernoulli head models every column as 0 or 1, the pen head its last (pen-up) column;
    /// any other value there has no lower bound on its loss. One line naming the first such value.
    static func binaryTargetProblem(_ values: [Float], dim d: Int, head: ModelConfig.Head) -> String? {
        let columns: [Int]
        switch head {
        case .bernoulli: columns = Array(0..<d)
        case .pen: columns = [d - 1]
        case .categorical, .gaussian, .gmm: return nil
        }
        for row in 0..<values.count / d {
            for column in columns where values[row * d + column] != 0 && values[row * d + column] != 1 {
                return "the \(head.rawValue) head models \(head == .pen ? "its pen-up column" : "every column") as 0 or 1, but column \(column) "
                    + "holds \(values[row * d + column]) at row \(row); `vrnn prepare` keeps columns of 0s and 1s unnormalised "
                    + "(--raw-columns chooses them), or choose another --head"
            }
        }
        return nil
    }

    /// Copies the given data rows into the window's inputs (row index per (t, b), time-major).
    public func fill(_ workspace: WindowWorkspace, rows: [Int]) {
        switch values {
        case .tokens(let tokens, _):
            for (i, r) in rows.enumerated() { workspace.tokens[i] = tokens[r] }
        case .frames(let frames, let d):
            frames.withUnsafeBufferPointer { source in
                for (i, r) in rows.enumerated() {
                    (workspace.frames.pointer + i * d).update(from: source.baseAddress! + r * d, count: d)
                }
            }
        }
    }
}

extension SequenceData {
    /// Identifies the data a run reads, so a resume on other data is refused: row and sequence
    /// counts and an FNV-1a hash of the values' bits and the boundaries.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) { hash = (hash ^ word) &* 0x0000_0100_0000_01b3 }
        switch values {
        case .tokens(let tokens, let vocabulary):
            mix(UInt64(vocabulary))
            for t in tokens { mix(UInt64(UInt32(bitPattern: t))) }
        case .frames(let frames, let d):
            mix(UInt64(d))
            for f in frames { mix(UInt64(f.bitPattern)) }
        }
        for o in offsets { mix(UInt64(o)) }
        return "rows \(rowCount), sequences \(offsets.count - 1), fnv1a64 " + String(hash, radix: 16)
    }
}
