import Kernels

/// What the Trainer needs from the processes it runs in (ARCHITECTURE §3): every call is
/// collective, so every rank makes the same calls in the same order.
public protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// In-place element-wise sum over ranks.
    func allreduceSum(_ buffer: FloatBuffer)
    /// Element-wise sum over ranks of a few Double values (loss sums, counters).
    func allreduceSum(_ values: [Double]) -> [Double]
}

/// The 1-process Collective: every reduction is the identity.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ buffer: FloatBuffer) {}
    public func allreduceSum(_ values: [Double]) -> [Double] { values }
}
