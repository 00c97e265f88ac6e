import Foundation

/// Runs the built `vrnn` under mpirun the way a user would, with a timeout, for the distributed tests.
enum MPIRun {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let vrnn = root.appendingPathComponent(".build/debug/vrnn").path

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let timedOut: Bool
    }

    /// The environment for a child mpirun: this test process may have initialised MPI as a
    /// singleton, and a child mpirun that inherits those OMPI_*/PMIX_* variables exits silently.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !(key.hasPrefix("OMPI_") && !key.hasPrefix("OMPI_ALLOW")) && !key.hasPrefix("PMIX_")
        }
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OPENBLAS_NUM_THREADS"] = "1"
        return env
    }

    /// A started job: its output files fill while it runs.
    final class Job {
        let process = Process()
        let directory: URL
        var stdoutFile: URL { directory.appendingPathComponent("stdout") }
        var stderrFile: URL { directory.appendingPathComponent("stderr") }

        init(ranks: Int, mpiOptions: [String], arguments: [String], environment: [String: String]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-mpirun-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
            _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["mpirun", "-np", "\(ranks)", "--oversubscribe"] + mpiOptions + [MPIRun.vrnn] + arguments
            process.environment = MPIRun.environment.merging(environment) { $1 }
            process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
            process.standardError = try FileHandle(forWritingTo: stderrFile)
            try process.run()
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

        /// Polls until `condition` holds or the job ends or the time is up; returns whether it held.
        func wait(until condition: (Job) -> Bool, timeout: TimeInterval) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition(self) { return true }
                if !process.isRunning { return condition(self) }
                usleep(20_000)
            }
            return false
        }

        /// Waits for the end (terminating the job after `timeout`).
        func finish(timeout: TimeInterval) -> Result {
            _ = wait(until: { !$0.process.isRunning }, timeout: timeout)
            let timedOut = process.isRunning
            if timedOut {
                process.terminate()
                process.waitUntilExit()
            }
            process.waitUntilExit()
            return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
        }
    }

    /// `environment` adds to (or replaces in) the child's environment.
    static func start(ranks: Int, mpiOptions: [String] = [], _ arguments: [String], environment: [String: String] = [:]) throws -> Job {
        try Job(ranks: ranks, mpiOptions: mpiOptions, arguments: arguments, environment: environment)
    }

    static func run(ranks: Int, mpiOptions: [String] = [], _ arguments: [String], environment: [String: String] = [:],
                    timeout: TimeInterval = 120) throws -> Result {
        try start(ranks: ranks, mpiOptions: mpiOptions, arguments, environment: environment).finish(timeout: timeout)
    }

    /// A deterministic text of `count` characters for training runs.
    static func text(count: Int) throws -> URL {
        let words = ["the ", "quick ", "brown ", "fox ", "jumps ", "over ", "a ", "lazy ", "dog. ", "And ", "then\n"]
        var s = "", i = 0
        while s.count < count { s += words[(i * 7 + i / 3) % words.count]; i += 1 }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-text-\(UUID().uuidString).txt")
        try s.prefix(count).write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
