import CKernels

/// Which build of the element-wise kernels runs (Sources/CKernels): AVX-512, AVX2+FMA or the
/// portable one. Chosen at load from the CPU (or VRNN_KERNELS); a cluster agrees on the lowest
/// path every rank supports, so every rank computes the same numbers.
public enum KernelPath: Int32, CaseIterable, Comparable, Sendable {
    case portable = 0, avx2 = 1, avx512 = 2

    public static func < (a: KernelPath, b: KernelPath) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }

    /// The best path this CPU supports.
    public static var best: KernelPath { KernelPath(rawValue: vk_best_path()) ?? .portable }

    /// The path in use.
    public static var active: KernelPath { KernelPath(rawValue: vk_active_path()) ?? .portable }

    /// The paths this CPU can run, lowest first.
    public static var supported: [KernelPath] { allCases.filter { $0 <= best } }

    /// Makes `path` the active one for the whole process; false (and no change) when the CPU lacks it.
    @discardableResult
    public static func select(_ path: KernelPath) -> Bool { vk_set_path(path.rawValue) == 0 }

    /// A VRNN_KERNELS setting that could not be honoured, as one line saying what to do.
    public static var environmentProblem: String? {
        guard let cString = vk_environment_problem() else { return nil }
        let wanted = String(cString: cString), runnable = supported.map(\.name).joined(separator: ", ")
        return allCases.contains { $0.name == wanted }
            ? "VRNN_KERNELS=\(wanted): this CPU cannot run that path; use one of \(runnable) (or unset it)"
            : "VRNN_KERNELS=\(wanted) is not a kernel path (avx512, avx2 or portable); this CPU runs \(runnable)"
    }
}
