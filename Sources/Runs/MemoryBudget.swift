import Foundation

/// Refuses work whose buffers cannot fit, before allocating them: a size no machine has would
/// otherwise end in an allocation failure and a backtrace instead of one line.
enum MemoryBudget {
    /// Bytes this process may use: the memory the system reports available (MemAvailable), or
    /// the physical memory elsewhere, shared by the ranks mpirun started on this node.
    static var available: Double {
        let info = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kilobytes = info.split(separator: "\n").first { $0.hasPrefix("MemAvailable:") }?
            .split(separator: " ").dropFirst().first.flatMap { Double($0) }
        let total = kilobytes.map { $0 * 1024 } ?? Double(ProcessInfo.processInfo.physicalMemory)
        let ranksHere = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Double.init) ?? 1
        return total / max(ranksHere, 1)
    }

    /// Throws one line naming the need, what is available and the flags that lower it, when
    /// `floats` (4 bytes each) exceed 90 % of what is available.
    static func check(floats: Double, for what: String, lower flags: String) throws {
        let bytes = floats * 4, free = available
        guard !(bytes <= free * 0.9) else { return }
        throw UserError("\(what) needs about \(size(bytes)) of memory but \(size(free)) is available"
                        + (ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"] != nil ? " per rank" : "")
                        + "; lower \(flags)")
    }

    static func size(_ bytes: Double) -> String {
        bytes >= 1e12 ? String(format: "%.3g TB", bytes / 1e12) : bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9)
            : String(format: "%.0f MB", bytes / 1e6)
    }
}
