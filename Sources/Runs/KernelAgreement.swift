import Kernels
import Training

extension KernelPath {
    /// Every rank runs the same element-wise kernels: after VRNN_KERNELS, the lowest path any
    /// rank has, so a cluster of mixed CPUs computes the same numbers everywhere. A VRNN_KERNELS
    /// that some rank's CPU cannot honour is refused in one line. Collective.
    static func agree(_ world: Collective) throws {
        try agreeing(world) { if let problem = environmentProblem { throw UserError(problem) } }
        let lowest = world.allreduceMinMax([Double(active.rawValue)]).min[0]
        select(KernelPath(rawValue: Int32(lowest)) ?? .portable)
    }

    /// For the start-up line, e.g. "element-wise kernels avx512" or "... avx2 (this CPU has avx512)".
    static var summary: String {
        "element-wise kernels \(active.name)" + (active < best ? " (this CPU has \(best.name))" : "")
    }
}
