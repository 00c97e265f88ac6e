import Foundation
import Storage
import XCTest

/// Checkpoints and resume through the real CLI under mpirun (ARCHITECTURE §7.4 and §7.5).
final class CheckpointResumeTests: XCTestCase {
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
    /// Of the metrics history it keeps step, losses, gradient norm and learning rate: throughput
    /// depends on the clock, and a run that stops also measures validation at its stopping step.
    func latestState(_ run: String) throws -> [String: [Double]] {
        let name = try String(contentsOfFile: folder(run) + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let file = try HDF5File(readingAt: folder(run) + "/" + name)
        var state: [String: [Double]] = [:]
        for dataset in try file.datasetNames() {
            let stored = try file.readDoubles(dataset)
            if dataset == "metrics/history" {
                let columns = stored.shape[1]
                state[dataset] = stored.values.enumerated().filter { $0.offset % columns < 6 }.map(\.element)
            } else {
                state[dataset] = stored.values
            }
        }
        return state
    }

    /// Same N: K steps, stop, resume to 2K gives bit-identical parameters, optimiser state,
    /// streams and loss history to 2K uninterrupted steps. The run uses a KL warm-up, free nats
    /// and the adaptive weight, so the weight's state must travel in the checkpoint too.
    func testResumeOnTheSameRankCountIsBitIdentical() throws {
        let schedule = ["--kl-target", "0.05", "--kl-rate", "0.2", "--kl-warmup", "15", "--free-nats", "0.01"]
        try train(ranks: 2, start("straight", steps: 20, extra: ["--checkpoint-every", "10"] + schedule))
        try train(ranks: 2, start("halves", steps: 10, extra: schedule))
        let resumed = try train(ranks: 2, ["--resume", folder("halves"), "--steps", "20", "--log-every", "1"])
        XCTAssertTrue(resumed.stdout.contains("resuming"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("resume changes training.steps: 10 -> 20"), resumed.stdout)
        let straight = try latestState("straight")
        XCTAssertTrue(straight.keys.contains("params/rnn.weight_hh_l0") && straight.keys.contains("streams/hidden"))
        XCTAssertLessThanOrEqual(straight["metrics/history"]!.count, 2 * 6, "a checkpoint keeps at most two metrics rows")
        try assertIdentical(straight, try latestState("halves"))
        // metrics.csv of the resumed run equals the straight run's, step for step (losses, gradient norm, lr).
        func lossColumns(_ run: String) throws -> [String] {
            try String(contentsOfFile: folder(run) + "/metrics.csv", encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(6).joined(separator: ",") }
        }
        XCTAssertEqual(try lossColumns("halves"), try lossColumns("straight"))
        XCTAssertEqual(try lossColumns("straight").count, 20)
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

    /// --checkpoint-minutes writes when the time is up (here at every step) and
    /// --keep-checkpoints keeps only the newest.
    func testTimedCheckpointsAndKeepingTheNewest() throws {
        try train(ranks: 2, start("timed", steps: 5, extra: ["--checkpoint-minutes", "0.000001", "--keep-checkpoints", "2"]))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder("timed")).sorted()
        XCTAssertEqual(files, ["checkpoint-00000004.h5", "checkpoint-00000005.h5", "config.json", "latest", "lock", "losses.svg", "metrics.csv"])
        XCTAssertEqual(try String(contentsOfFile: folder("timed") + "/latest", encoding: .utf8), "checkpoint-00000005.h5\n")
    }

    /// Another N that divides G continues from the same per-stream state (here an LSTM, so the
    /// cell state too) and stays within float tolerance of the uninterrupted run.
    func testResumeOnAnotherRankCountStaysWithinTolerance() throws {
        let lstm = ["--cell", "lstm", "--checkpoint-every", "100"]
        try train(ranks: 1, start("straight", steps: 16, extra: lstm))
        try train(ranks: 2, start("moved", steps: 8, extra: lstm))
        try train(ranks: 4, ["--resume", folder("moved"), "--steps", "16"])
        let straight = try latestState("straight"), moved = try latestState("moved")
        XCTAssertNotNil(straight["streams/cell"])
        for (name, values) in straight where name.hasPrefix("params/") || name.hasPrefix("streams/") {
            let other = try XCTUnwrap(moved[name], name)
            let scale = max(values.map(abs).max()!, 1e-3)
            let worst = zip(values, other).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst / scale, 1e-4, "\(name)")
        }
        XCTAssertEqual(straight["streams/cursor"], moved["streams/cursor"])
    }

    /// A resume that would not continue the same run is refused with one line naming the mismatch;
    /// a new learning rate is allowed and logged.
    func testIncompatibleResumesAreRefused() throws {
        try train(ranks: 1, start("base", steps: 4))
        let other = runs.appendingPathComponent("other.h5")
        let text = try MPIRun.text(count: 9_000)
        defer { try? FileManager.default.removeItem(at: text) }
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", text.path, "--out", other.path]).status, 0)
        let cases: [([String], String)] = [
            (["--hidden", "48"], "model.hidden: 32 -> 48"),
            (["--global-batch", "4"], "--global-batch 4 differs from the checkpoint's G = 8"),
            (["--data", other.path], "is not the data of the checkpoint"),
            (["--steps", "4"], "already at step 4 of 4"),
            (["--preset", "tiny"], "drop --config, --preset and --run"),
        ]
        for (extra, message) in cases {
            var arguments = ["--resume", folder("base")] + extra
            if !extra.contains("--steps") { arguments += ["--steps", "6"] }
            let result = try train(ranks: 2, arguments, expectSuccess: false)
            XCTAssertNotEqual(result.status, 0, "\(extra) must be refused")
            XCTAssertEqual(result.stderr.split(separator: "\n").filter { $0.contains(message) }.count, 1,
                           "\(extra): expected one line with \(message):\n\(result.stderr)")
        }
        let missing = try train(ranks: 1, ["--resume", folder("nothing-here")], expectSuccess: false)
        XCTAssertTrue(missing.stderr.contains("no such run folder"), missing.stderr)
        let changed = try train(ranks: 1, ["--resume", folder("base"), "--steps", "6", "--lr", "0.0005"])
        XCTAssertTrue(changed.stdout.contains("resume changes training.adam.learningRate: 0.003 -> 0.0005"), changed.stdout)
    }

    /// A damaged latest checkpoint stops a resume on every rank with one line, and `vrnn inspect`
    /// and `vrnn export` report it the same way; the run folder is left as it was.
    func testDamagedCheckpointIsReportedInOneLine() throws {
        try train(ranks: 1, start("damaged", steps: 3))
        let file = folder("damaged") + "/checkpoint-00000003.h5"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: file))
        let before = try FileManager.default.contentsOfDirectory(atPath: folder("damaged")).sorted()
        for (ranks, arguments) in [(2, ["train", "--resume", folder("damaged"), "--steps", "6"]),
                                   (1, ["inspect", folder("damaged")]),
                                   (1, ["export", "--checkpoint", folder("damaged"), "--out", folder("weights.h5")])] {
            let result = try MPIRun.run(ranks: ranks, arguments, timeout: 60)
            XCTAssertFalse(result.timedOut)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
            XCTAssertEqual(lines.count, 1, "\(arguments):\n\(result.stderr)")
            XCTAssertTrue(lines.first?.contains("checkpoint-00000003.h5: cannot open as HDF5 (truncated or corrupt?)") ?? false,
                          "\(arguments):\n\(result.stderr)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder("damaged")).sorted(), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder("weights.h5")))
    }

    /// SIGTERM to one rank (as a scheduler's or a user's kill may deliver it): every rank stops
    /// at the same step, a checkpoint of that step is written, the exit is 0, and the run goes on
    /// from there.
    func testSigtermToOneRankStopsEveryRankAtACheckpoint() throws {
        let job = try MPIRun.start(ranks: 2, ["train"] + start("signalled", steps: 100_000, extra: ["--checkpoint-every", "100000"]))
        XCTAssertTrue(job.wait(until: { $0.stdout.contains("step 3/") }, timeout: 60), job.stderr)
        let ranks = try Self.children(of: job.process.processIdentifier)
        XCTAssertEqual(ranks.count, 2)
        XCTAssertEqual(kill(ranks.max()!, SIGTERM), 0)
        let step = try stoppedStep(job.finish(timeout: 60), signal: "SIGTERM")
        let rows = try String(contentsOfFile: folder("signalled") + "/metrics.csv", encoding: .utf8).split(separator: "\n").count - 1
        XCTAssertEqual(rows, step)
        let resumed = try train(ranks: 2, ["--resume", folder("signalled"), "--steps", "\(step + 2)"])
        XCTAssertTrue(resumed.stdout.contains("step \(step + 2)/\(step + 2)"), resumed.stdout)
    }

    /// kill -9 of one rank mid-run: the job ends (no rank hangs in a collective) and the last
    /// checkpoint resumes.
    func testKillingOneRankEndsTheJobAndTheLastCheckpointResumes() throws {
        let job = try MPIRun.start(ranks: 2, ["train"] + start("crashed", steps: 100_000, extra: ["--checkpoint-every", "2"]))
        XCTAssertTrue(job.wait(until: { $0.stdout.contains("checkpoint-00000004.h5") }, timeout: 60), job.stderr)
        let ranks = try Self.children(of: job.process.processIdentifier)
        XCTAssertEqual(kill(try XCTUnwrap(ranks.max()), SIGKILL), 0)
        let result = job.finish(timeout: 60)
        XCTAssertFalse(result.timedOut, "the surviving rank hung")
        XCTAssertNotEqual(result.status, 0)
        let latest = try String(contentsOfFile: folder("crashed") + "/latest", encoding: .utf8).trimmingCharacters(in: .newlines)
        let step = try XCTUnwrap(Int(latest.dropFirst("checkpoint-".count).prefix(8)))
        let resumed = try train(ranks: 2, ["--resume", folder("crashed"), "--steps", "\(step + 2)"])
        XCTAssertTrue(resumed.stdout.contains("from step \(step)"), resumed.stdout)
    }

    /// Every setting a run started with comes back on resume (keep-K and checkpoint-every
    /// included, so no checkpoint is deleted by a default); a setting given again overrides it,
    /// and a new --kl-weight is the weight the resumed run trains with.
    func testResumeRestoresTheRunsSettingsAndAppliesNewOnes() throws {
        try train(ranks: 2, start("settings", steps: 6, extra: ["--keep-checkpoints", "10", "--checkpoint-every", "2", "--kl-weight", "0.5"]))
        let resumed = try train(ranks: 2, ["--resume", folder("settings"), "--steps", "12", "--kl-weight", "1"])
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: folder("settings")).filter { $0.hasPrefix("checkpoint-") }
        XCTAssertEqual(checkpoints.count, 6, "every second step kept, none deleted: \(checkpoints.sorted())")
        XCTAssertTrue(resumed.stdout.contains("resume changes training.kl.beta: 0.5 -> 1"), resumed.stdout)
        let rows = try String(contentsOfFile: folder("settings") + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        let header = rows[0].split(separator: ",", omittingEmptySubsequences: false)
        let weight = try XCTUnwrap(header.firstIndex(of: "kl_weight"))
        let weights = rows.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[weight])! }
        XCTAssertEqual(Array(weights.prefix(6)), Array(repeating: 0.5, count: 6))
        XCTAssertEqual(Array(weights.dropFirst(6)), Array(repeating: 1, count: 6), "the resumed run trains at the new KL weight")
        let config = try String(contentsOfFile: folder("settings") + "/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"keepCheckpoints\" : 10") && config.contains("\"checkpointEvery\" : 2"), config)
    }

    /// A step whose loss (or gradient, or KL weight) is not finite is never applied or saved:
    /// the run stops with one line and `latest` names the last finite checkpoint; with
    /// --on-nonfinite skip such steps are dropped until --max-skips in a row.
    func testANonFiniteStepIsNeverAppliedOrSaved() throws {
        let stopped = try train(ranks: 2, start("diverged", steps: 20, extra: ["--lr", "1e30", "--checkpoint-every", "1"]), expectSuccess: false)
        XCTAssertNotEqual(stopped.status, 0)
        let lines = stopped.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
        XCTAssertEqual(lines.count, 1, stopped.stderr)
        XCTAssertTrue(lines.first?.contains("nothing of that step was applied or saved") ?? false, stopped.stderr)
        let state = try latestState("diverged")
        XCTAssertTrue(state.filter { $0.key.hasPrefix("params/") }.allSatisfy { $0.value.allSatisfy(\.isFinite) }, "latest holds non-finite parameters")
        let skipped = try train(ranks: 2, start("skipping", steps: 20, extra: ["--lr", "1e30", "--on-nonfinite", "skip", "--max-skips", "3"]),
                                expectSuccess: false)
        XCTAssertNotEqual(skipped.status, 0)
        XCTAssertEqual(skipped.stdout.components(separatedBy: "its update was skipped").count - 1, 3, skipped.stdout)
        XCTAssertTrue(skipped.stderr.contains("the 4th step in a row (--max-skips 3)"), skipped.stderr)
        let rows = try String(contentsOfFile: folder("skipping") + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows[0].split(separator: ",").last, "skipped")
        XCTAssertEqual(rows.dropFirst().filter { $0.hasSuffix(",1") }.count, 3, "skipped steps are counted in metrics.csv")
    }

    /// A run folder is one job's: a second job on it, resumed or fresh, is refused in one line
    /// naming the holder while the live job goes on; the lock a killed job leaves is taken over.
    func testASecondJobOnALiveRunFolderIsRefused() throws {
        let job = try MPIRun.start(ranks: 2, ["train"] + start("held", steps: 100_000, extra: ["--checkpoint-every", "2"]))
        XCTAssertTrue(job.wait(until: { $0.stdout.contains("checkpoint-00000002.h5") }, timeout: 60), job.stderr)
        let holder = try String(contentsOfFile: folder("held") + "/lock", encoding: .utf8).split(separator: " ")
        let pid = try XCTUnwrap(holder.last).trimmingCharacters(in: .whitespacesAndNewlines)
        for arguments in [["--resume", folder("held"), "--steps", "100001"], start("held", steps: 10)] {
            let second = try train(ranks: 1, arguments, expectSuccess: false)
            XCTAssertNotEqual(second.status, 0)
            let lines = second.stderr.split(separator: "\n").filter { $0.contains("is in use by vrnn on") }
            XCTAssertEqual(lines.count, 1, second.stderr)
            XCTAssertTrue(lines.first?.contains("(pid \(pid))") ?? false, second.stderr)
        }
        // The live job was not disturbed: it writes two more checkpoints.
        let written = job.stdout.components(separatedBy: "vrnn: checkpoint ").count
        XCTAssertTrue(job.wait(until: { $0.stdout.components(separatedBy: "vrnn: checkpoint ").count >= written + 2 }, timeout: 60), job.stderr)
        // kill -9 of every rank leaves the lock file naming rank 0; the next job takes it over.
        for rank in try Self.children(of: job.process.processIdentifier) { kill(rank, SIGKILL) }
        XCTAssertFalse(job.finish(timeout: 60).timedOut)
        let latest = try String(contentsOfFile: folder("held") + "/latest", encoding: .utf8)
        let step = try XCTUnwrap(Int(latest.dropFirst("checkpoint-".count).prefix(8)))
        let resumed = try train(ranks: 2, ["--resume", folder("held"), "--steps", "\(step + 2)"])
        XCTAssertTrue(resumed.stdout.contains("took over the run folder's lock from"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("(pid \(pid))"), resumed.stdout)
        XCTAssertEqual(try String(contentsOfFile: folder("held") + "/lock", encoding: .utf8), "", "a finished run leaves the lock free")
    }

    /// launch/mpirun turns SIGTERM (and Ctrl-C's SIGINT) into SIGUSR1, which mpirun forwards to
    /// every rank, so the stopped job exits 0 (mpirun itself would report 1 after a SIGTERM).
    func testLauncherStopsTheJobCleanlyOnSigterm() throws {
        try stopThroughLauncher(SIGTERM, run: "launched")
    }

    /// SIGUSR1, the third stop signal, is passed on like TERM and INT (it had killed the launcher
    /// and left mpirun and the ranks training); sent before the ranks can have installed their
    /// handlers, it still ends the whole job, with no process left behind.
    func testLauncherPassesOnSigusr1EvenBeforeTheRanksAreReady() throws {
        try stopThroughLauncher(SIGUSR1, run: "usr1")
        let early = Process()
        early.executableURL = MPIRun.root.appendingPathComponent("launch/mpirun")
        early.arguments = ["2", "train"] + start("early", steps: 100_000)
        var environment = MPIRun.environment
        environment["VRNN"] = MPIRun.vrnn
        early.environment = environment
        early.standardOutput = FileHandle.nullDevice
        early.standardError = FileHandle.nullDevice
        try early.run()
        usleep(100_000)
        kill(early.processIdentifier, SIGUSR1)
        let deadline = Date().addingTimeInterval(60)
        while early.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(early.isRunning, "the job did not end")
        sleep(1)
        XCTAssertEqual(try Self.processes(matching: folder("early")), [], "processes of the job were left behind")
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

    /// The step a stopped job reports, after checking it ended cleanly.
    func stoppedStep(_ result: MPIRun.Result, signal: String) throws -> Int {
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").filter { $0.contains("stopped by \(signal) at step") }
        XCTAssertEqual(lines.count, 1, result.stdout)
        return try XCTUnwrap(Int(try XCTUnwrap(lines.first).split(separator: " ")[6]))
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

    /// kill -9 of the writer in the middle of a checkpoint write: the previous checkpoint stays
    /// `latest` and loads, the partial file is ignored and removed on resume, and the resumed run
    /// ends bit-identical to an uninterrupted one.
    func testKillDuringCheckpointWriteKeepsThePreviousCheckpoint() throws {
        let every = ["--checkpoint-every", "5"]
        let job = try MPIRun.start(ranks: 1, ["train"] + start("killed", steps: 15, extra: every + ["--pause-before-commit", "10"]))
        XCTAssertTrue(job.wait(until: { $0.stderr.contains("paused before committing") }, timeout: 60), job.stderr)
        let pidText = try XCTUnwrap(job.stderr.split(separator: "(pid ").last?.prefix { $0.isNumber })
        XCTAssertEqual(kill(pid_t(pidText)!, SIGKILL), 0)
        let killed = job.finish(timeout: 60)
        XCTAssertFalse(killed.timedOut)
        XCTAssertNotEqual(killed.status, 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder("killed"))
        XCTAssertTrue(files.contains { $0.hasPrefix("checkpoint-00000010.h5.tmp-") }, "the partial file: \(files)")
        XCTAssertFalse(files.contains("checkpoint-00000010.h5"))
        XCTAssertEqual(try String(contentsOfFile: folder("killed") + "/latest", encoding: .utf8), "checkpoint-00000005.h5\n")

        let resumed = try train(ranks: 1, ["--resume", folder("killed"), "--steps", "15"])
        XCTAssertTrue(resumed.stdout.contains("from step 5"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("left by an interrupted write"), resumed.stdout)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: folder("killed")).contains { $0.contains(".tmp-") })
        try train(ranks: 1, start("uninterrupted", steps: 15, extra: every))
        try assertIdentical(try latestState("killed"), try latestState("uninterrupted"))
    }
}
