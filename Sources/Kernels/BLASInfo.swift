import CBLAS

/// What the BLAS library reports about itself: the kernel family it selected for this CPU, and
/// its thread count. Data-parallel ranks each use one BLAS thread (ARCHITECTURE §5).
public enum BLASInfo {
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
}
