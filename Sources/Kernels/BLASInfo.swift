import Foundation
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

/// OpenBLAS 0.3.21 does not recognise some recent CPUs (e.g. Intel family 6 model 0xCF) and falls
/// back to a generic SSE kernel about 5x slower than the right one. It reads OPENBLAS_CORETYPE only
/// when the library loads, so the choice has to be made before the process starts (the vrnn
/// executable re-executes itself once with the variable set, and the launchers export it).
public enum BLASKernelChoice {
    /// Kernel names OpenBLAS reports when it fell back to a pre-AVX kernel.
    static let fallbackKernels: Set<String> = [
        "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
        "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano",
    ]

    /// The OPENBLAS_CORETYPE to set, or nil to keep OpenBLAS's own choice: never when the user set
    /// one, never when OpenBLAS picked a modern kernel, and only a kernel whose instructions the CPU
    /// has (SkylakeX needs AVX-512; forcing it elsewhere crashes with an illegal instruction).
    public static func recommended(detected: String, cpuFlags: Set<String>, userSetting: String?) -> String? {
        if let userSetting, !userSetting.isEmpty { return nil }
        guard fallbackKernels.contains(detected.lowercased()) else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        if cpuFlags.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// The CPU feature flags of the first processor in /proc/cpuinfo (empty where there is none).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let cpuinfo, let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
