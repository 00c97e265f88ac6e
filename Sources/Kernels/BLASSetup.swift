import Foundation

/// Makes sure this process runs OpenBLAS's fast kernel with one thread per rank, and says which.
public enum BLASSetup {
    /// If OpenBLAS fell back to a generic kernel on a CPU it does not recognise, re-executes this
    /// program once with OPENBLAS_CORETYPE set (the library reads it only at load time). A user's
    /// own OPENBLAS_CORETYPE always wins.
    public static func ensureFastKernel() {
        let detected = BLASInfo.coreName
        guard let choice = BLASKernelChoice.recommended(
            detected: detected, cpuFlags: BLASKernelChoice.cpuFlags(),
            userSetting: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]) else { return }
        setenv("OPENBLAS_CORETYPE", choice, 1)
        setenv("VRNN_BLAS_AUTOSELECTED", choice, 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // Only reached if exec failed: carry on with the slow kernel, and say so.
        FileHandle.standardError.writeMessage("vrnn: warning: OpenBLAS chose the slow \(detected) kernel and re-executing with OPENBLAS_CORETYPE=\(choice) failed; set it in the environment\n")
    }

    /// Ranks each use one BLAS thread unless the user asked for more (ARCHITECTURE §5).
    public static func configureThreads() {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { BLASInfo.setThreads(1) }
    }

    /// e.g. "OpenBLAS kernel Zen, 1 thread (detected by OpenBLAS)".
    public static var summary: String {
        let environment = ProcessInfo.processInfo.environment
        let origin: String
        if let set = environment["OPENBLAS_CORETYPE"], !set.isEmpty {
            origin = environment["VRNN_BLAS_AUTOSELECTED"] == set
                ? "chosen by vrnn: OpenBLAS did not recognise this CPU" : "OPENBLAS_CORETYPE=\(set) from the environment"
        } else {
            origin = "detected by OpenBLAS"
        }
        let threads = BLASInfo.threads
        return "OpenBLAS kernel \(BLASInfo.coreName), \(threads) thread\(threads == 1 ? "" : "s") (\(origin))"
    }
}
