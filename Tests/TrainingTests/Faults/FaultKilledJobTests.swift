import Foundation
import XCTest

/// Fault-injection suite: a rank or the launcher is signalled or killed, mid-step or mid-write.
final class FaultKilledJobTests: RunFolderTestCase {
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

    /// kill -9 of the writer in the middle of a checkpoint write: the previous checkpoint stays
    /// `latest` and loads, the partial file is ignored and removed on resume, and the resumed run
    /// ends bit-identical to an uninterrupted one.
    func testKillDuringCheckpointWriteKeepsThePreviousCheckpoint() throws {
        let every = ["--checkpoint-every", "5", "--valid-every", "5"]   // so a new best's checkpoint is one of these
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

    /// launch/mpirun turns SIGTERM (and Ctrl-C's SIGINT) into SIGUSR1, which mpirun forwards to
    /// every rank, so the stopped job exits 0 (mpirun itself would report 1 after a SIGTERM).
    func testLauncherStopsTheJobCleanlyOnSigterm() throws {
        try stopThroughLauncher(SIGTERM, run: "launched")
    }

    /// SIGUSR1, the third stop signal, is passed on like TERM and INT (it had killed the launcher
    /// and left mpirun and the ranks training); sent while the job is still starting, at any of
    /// several moments (one, before mpirun forwarded signals, had been lost and the job trained
    /// on), it still ends the whole job, with no process left behind.
    func testLauncherPassesOnSigusr1EvenBeforeTheRanksAreReady() throws {
        try stopThroughLauncher(SIGUSR1, run: "usr1")
        for delay: useconds_t in [20_000, 50_000, 100_000, 300_000] {
            let early = Process(), run = "early-\(delay)"
            early.executableURL = MPIRun.root.appendingPathComponent("launch/mpirun")
            early.arguments = ["2", "train"] + start(run, steps: 100_000)
            var environment = MPIRun.environment
            environment["VRNN"] = MPIRun.vrnn
            early.environment = environment
            early.standardOutput = FileHandle.nullDevice
            early.standardError = FileHandle.nullDevice
            try early.run()
            usleep(delay)
            kill(early.processIdentifier, SIGUSR1)
            let deadline = Date().addingTimeInterval(60)
            while early.isRunning && Date() < deadline { usleep(50_000) }
            XCTAssertFalse(early.isRunning, "the job signalled after \(delay) µs did not end")
            sleep(1)
            XCTAssertEqual(try Self.processes(matching: folder(run)), [], "processes of the job signalled after \(delay) µs were left behind")
            for pid in try Self.processes(matching: folder(run)) { kill(pid, SIGKILL) }
        }
    }
}
