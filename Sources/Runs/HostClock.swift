import Foundation

/// What a shared host gives this process: its CPU time, and the time the hypervisor took from
/// the cores it may run on ("steal"). On a virtual machine whose host is busy, a core can lose a
/// third of the wall-clock time to other guests; a rate by CPU time leaves that out, since a
/// kernel with paravirtual time accounting does not charge stolen time to the process.
enum HostClock {
    /// CPU seconds of this process so far (all its threads, user and system).
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Steal and total ticks of the cores this process may run on, summed (Linux: /proc/stat and
    /// /proc/self/status), or nil where they cannot be read.
    struct Ticks {
        var steal: Double
        var total: Double

        static func now() -> Ticks? {
            guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
            let allowed = allowedCPUs()
            var ticks = Ticks(steal: 0, total: 0), found = false
            for line in stat.split(separator: "\n") where line.hasPrefix("cpu") {
                let fields = line.split(separator: " ")
                // "cpuN user nice system idle iowait irq softirq steal ...": the per-core lines only.
                guard let cpu = Int(fields[0].dropFirst(3)), allowed?.contains(cpu) ?? true, fields.count > 8 else { continue }
                let values = fields[1...8].compactMap { Double($0) }
                guard values.count == 8 else { continue }
                ticks.steal += values[7]
                ticks.total += values.reduce(0, +)
                found = true
            }
            return found ? ticks : nil
        }

        /// The share of the cores' time the host took between `earlier` and now, in per cent.
        static func stealPercent(since earlier: Ticks?) -> Double? {
            guard let earlier, let later = now(), later.total > earlier.total else { return nil }
            return 100 * (later.steal - earlier.steal) / (later.total - earlier.total)
        }
    }

    /// The CPUs of "Cpus_allowed_list" ("0-1,4"), nil where it cannot be read.
    private static func allowedCPUs() -> Set<Int>? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        var cpus = Set<Int>()
        for part in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            guard let first = bounds.first, let last = bounds.last, first <= last else { return nil }
            cpus.formUnion(first...last)
        }
        return cpus
    }
}
