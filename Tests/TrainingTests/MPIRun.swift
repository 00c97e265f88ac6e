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

    static func run(ranks: Int, mpiOptions: [String] = [], _ arguments: [String], timeout: TimeInterval = 120) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-mpirun-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["mpirun", "-np", "\(ranks)", "--oversubscribe"] + mpiOptions + [vrnn] + arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            process.waitUntilExit()
        }
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "", timedOut: timedOut)
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
