import Foundation
import Storage
import XCTest

/// Runs of `vrnn train` under mpirun on a small prepared text, each in its own folder under one
/// temporary folder, with helpers to read their checkpoints and stop them.
class RunFolderTestCase: XCTestCase {
    var runs: URL!
    var dataset: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else {
            throw XCTSkip("\(MPIRun.vrnn) is not built (swift build --build-tests builds it)")
        }
        runs = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let text = try MPIRun.text(count: 12_000)
        defer { try? FileManager.default.removeItem(at: text) }
        dataset = runs.appendingPathComponent("text.h5")
        let prepared = try MPIRun.run(ranks: 1, ["prepare", "text", text.path, "--out", dataset.path])
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
    }

    override func tearDown() {
        if let runs { try? FileManager.default.removeItem(at: runs) }
    }

    func folder(_ name: String) -> String { runs.appendingPathComponent(name).path }

    static let common = ["--preset", "tiny", "--global-batch", "8", "--window", "16", "--seed", "3", "--log-every", "1",
                         "--valid-every", "7"]

    @discardableResult
    func train(ranks: Int, _ arguments: [String], expectSuccess: Bool = true) throws -> MPIRun.Result {
        let result = try MPIRun.run(ranks: ranks, ["train"] + arguments, timeout: 120)
        XCTAssertFalse(result.timedOut, "\(arguments) timed out")
        if expectSuccess { XCTAssertEqual(result.status, 0, "\(arguments):\n\(result.stderr)") }
        return result
    }

    func start(_ run: String, steps: Int, extra: [String] = []) -> [String] {
        ["--data", dataset.path, "--run", folder(run), "--steps", "\(steps)"] + Self.common + extra
    }

    /// Every dataset of the checkpoint `latest` names, as Double (exact for float32 and int64).
    /// Of the metrics rows it keeps step, losses, gradient norm and learning rate: throughput
    /// depends on the clock, and a run that stops also measures validation at its stopping step
    /// (which moves that row from the curve's training series to its validation series, so the
    /// curve's rows are compared in step order).
    func latestState(_ run: String) throws -> [String: [Double]] {
        let name = try String(contentsOfFile: folder(run) + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let file = try HDF5File(readingAt: folder(run) + "/" + name)
        var state: [String: [Double]] = [:]
        for dataset in try file.datasetNames() {
            let stored = try file.readDoubles(dataset)
            if dataset.hasPrefix("metrics/") {   // the history and the curve
                let columns = stored.shape[1]
                let rows = stride(from: 0, to: stored.values.count, by: columns).map { Array(stored.values[$0..<$0 + 6]) }
                state[dataset] = (dataset == "metrics/curve" ? rows.sorted { $0[0] < $1[0] } : rows).flatMap { $0 }
            } else {
                state[dataset] = stored.values
            }
        }
        return state
    }

    /// Bitwise equality, naming the first tensor that differs (arrays are too long to print).
    func assertIdentical(_ a: [String: [Double]], _ b: [String: [Double]], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted(), file: file, line: line)
        for name in a.keys.sorted() where a[name] != b[name] {
            let first = zip(a[name]!, b[name] ?? []).enumerated().first { $0.element.0 != $0.element.1 }
            XCTFail("\(name) differs, first at \(first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "length")",
                    file: file, line: line)
            return
        }
    }

    /// The step a stopped job reports, after checking it ended cleanly.
    func stoppedStep(_ result: MPIRun.Result, signal: String) throws -> Int {
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").filter { $0.contains("stopped by \(signal) at step") }
        XCTAssertEqual(lines.count, 1, result.stdout)
        return try XCTUnwrap(Int(try XCTUnwrap(lines.first).split(separator: " ")[6]))
    }

    /// Runs a job through launch/mpirun, sends `signal` to the launcher once it trains: the job
    /// stops at a checkpoint and the launcher exits 0.
    func stopThroughLauncher(_ signal: Int32, run: String) throws {
        let launcher = Process()
        launcher.executableURL = MPIRun.root.appendingPathComponent("launch/mpirun")
        launcher.arguments = ["2", "train"] + start(run, steps: 100_000, extra: ["--checkpoint-every", "100000"])
        var environment = MPIRun.environment
        environment["VRNN"] = MPIRun.vrnn
        launcher.environment = environment
        let output = Pipe()
        launcher.standardOutput = output
        launcher.standardError = FileHandle.nullDevice
        try launcher.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("step 3/") && launcher.isRunning {
            seen += output.fileHandleForReading.availableData
        }
        kill(launcher.processIdentifier, signal)
        seen += output.fileHandleForReading.readDataToEndOfFile()
        launcher.waitUntilExit()
        XCTAssertEqual(launcher.terminationStatus, 0)
        XCTAssertTrue(String(decoding: seen, as: UTF8.self).contains("stopped by SIGUSR1"), String(decoding: seen, as: UTF8.self))
        XCTAssertNoThrow(try latestState(run))
    }

    /// PIDs of processes whose command line contains `text`.
    static func processes(matching text: String) throws -> [Int32] {
        let pgrep = Process(), pipe = Pipe()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        pgrep.arguments = ["-f", text]
        pgrep.standardOutput = pipe
        try pgrep.run()
        pgrep.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
    }

    static func children(of pid: Int32) throws -> [Int32] {
        let pgrep = Process(), pipe = Pipe()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        pgrep.arguments = ["-P", "\(pid)"]
        pgrep.standardOutput = pipe
        try pgrep.run()
        pgrep.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").compactMap { Int32($0) }
    }
}
