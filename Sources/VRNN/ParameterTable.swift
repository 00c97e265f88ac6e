import Kernels

/// One named tensor inside the flat parameter buffer.
public struct ParameterEntry: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// Uniform initialisation bound (PyTorch's default for the layer kind); 0 means N(0, 1).
    public let initBound: Float
    public var count: Int { shape.reduce(1, *) }
}

/// All parameters of a model live in one contiguous Float buffer; this table gives each tensor's
/// name (PyTorch's, so exported weights load into an equivalent nn.Module), shape and offset.
/// Gradients and Adam's moments use the same layout, so one allreduce and one loop cover them all.
public struct ParameterTable: Sendable {
    public private(set) var entries: [ParameterEntry] = []
    public private(set) var count = 0

    public init() {}

    /// Appends a tensor and returns its offset.
    @discardableResult
    public mutating func add(_ name: String, _ shape: [Int], initBound: Float) -> Int {
        precondition(!entries.contains { $0.name == name }, "duplicate parameter \(name)")
        let entry = ParameterEntry(name: name, shape: shape, offset: count, initBound: initBound)
        entries.append(entry)
        count += entry.count
        return entry.offset
    }

    public func entry(named name: String) -> ParameterEntry? { entries.first { $0.name == name } }

    /// Deterministic initialisation from the seed: every tensor draws from its own Philox stream
    /// (keyed by the seed and the tensor's index), so adding a tensor never shifts another's values.
    /// Linear and recurrent weights and biases: U(-bound, bound) with PyTorch's bounds
    /// (1/sqrt(fan_in) for Linear, 1/sqrt(hidden) for GRU/LSTM); embeddings: N(0, 1).
    public func initialise(_ params: FloatBuffer, seed: UInt64) {
        precondition(params.count == count)
        for (index, entry) in entries.enumerated() {
            let random = CounterRandom(seed: seed, stream: 0x5041_5241_4D00_0000 | UInt64(index))
            let out = params.pointer + entry.offset
            if entry.initBound == 0 {
                random.fillNormal(out, count: entry.count, step: 0, t: 0, purpose: 0)
            } else {
                random.fillUniform(out, count: entry.count, step: 0, t: 0, purpose: 0)
                for i in 0..<entry.count { out[i] = (2 * out[i] - 1) * entry.initBound }
            }
        }
    }
}
