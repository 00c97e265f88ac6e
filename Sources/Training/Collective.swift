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
    /// Element-wise minimum and maximum over ranks (checksums that must agree).
    func allreduceMinMax(_ values: [Double]) -> (min: [Double], max: [Double])
    /// What this rank is doing, for the one line that names a rank which stopped answering.
    var context: CollectiveContext { get set }
}

/// What a job is doing, for the message of a collective that waits too long for a rank (a node
/// gone from the network): the step, and how to carry on.
public struct CollectiveContext: Sendable {
    /// "step 1234": where the job was when the rank stopped answering.
    public var activity = "starting"
    /// What the user can do next ("the last checkpoint ... resumes with ...").
    public var recovery = ""
    public init(activity: String = "starting", recovery: String = "") {
        self.activity = activity; self.recovery = recovery
    }
}

extension Collective {
    /// The lowest rank that reports `failed`, or nil when every rank succeeded. Every rank learns the
    /// same answer, so all take the same branch (and exactly one rank reports the error).
    public func firstFailingRank(_ failed: Bool) -> Int? {
        let lowest = Int(allreduceMinMax([failed ? Double(rank) : Double(size)]).min[0])
        return lowest < size ? lowest : nil
    }
}

/// The 1-process Collective: every reduction is the identity.
public final class SingleProcess: Collective {
    public init() {}
    public var context = CollectiveContext()
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ buffer: FloatBuffer) {}
    public func allreduceSum(_ values: [Double]) -> [Double] { values }
    public func allreduceMinMax(_ values: [Double]) -> (min: [Double], max: [Double]) { (values, values) }
}
