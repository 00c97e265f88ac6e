import Foundation
import XCTest

/// Fault-injection suite: a rank stops answering mid-run, as a node that leaves the network does
/// (launch/test-cluster makes that happen across network namespaces; here the rank is frozen).
final class FaultSilentRankTests: RunFolderTestCase {
    /// A rank frozen with SIGSTOP leaves the other waiting in the allreduce, which has no timeout
    /// of its own. After --collective-timeout the waiting rank calls the roll, the frozen one does
    /// not answer, and one line names the step and the rank with its host; the job ends with no
    /// process left, and the last checkpoint resumes on the rank that remains.
    func testARankThatStopsAnsweringIsNamedAndTheJobEnds() throws {
        let job = try MPIRun.start(ranks: 2, ["train"] + start("frozen", steps: 100_000, extra: ["--checkpoint-every", "2", "--collective-timeout", "2"]))
        XCTAssertTrue(job.wait(until: { $0.stdout.contains("checkpoint-00000004.h5") }, timeout: 60), job.stderr)
        let frozen = try XCTUnwrap(try Self.children(of: job.process.processIdentifier).max())
        let rank = try Self.worldRank(of: frozen)
        XCTAssertEqual(kill(frozen, SIGSTOP), 0)
        let stoppedAt = Date()
        let result = job.finish(timeout: 60)
        let waited = Date().timeIntervalSince(stoppedAt)
        defer { kill(frozen, SIGKILL) }
        assertOneErrorLine(result, "rank \(rank) (host ", "a frozen rank")
        XCTAssertTrue(result.stderr.contains("stopped answering: a collective waited 2 s (--collective-timeout)"), result.stderr)
        XCTAssertTrue(result.stderr.range(of: #"vrnn: error: step [0-9]+: "#, options: .regularExpression) != nil, result.stderr)
        XCTAssertLessThan(waited, 20, "2 s of timeout and 2 s of roll call, then mpirun ends the job")
        XCTAssertTrue(Self.ends(frozen, within: 5), "the frozen rank was left behind")

        let latest = try String(contentsOfFile: folder("frozen") + "/latest", encoding: .utf8).trimmingCharacters(in: .newlines)
        let step = try XCTUnwrap(Int(latest.dropFirst("checkpoint-".count).prefix(8)))
        XCTAssertTrue(result.stderr.contains("resume from the run's latest checkpoint on the hosts that remain with vrnn train --resume \(folder("frozen"))"), result.stderr)
        let resumed = try train(ranks: 1, ["--resume", folder("frozen"), "--steps", "\(step + 2)"])
        XCTAssertTrue(resumed.stdout.contains("from step \(step)"), resumed.stdout)
    }

    /// Rank 0 frozen among 3: ranks 1 and 2 both time out, and whichever calls the roll first,
    /// rank 1 (the lowest that answers) reports, so there is still one line.
    func testWhenRankZeroStopsTheLowestRankThatAnswersReportsOnce() throws {
        let job = try MPIRun.start(ranks: 3, ["train"] + start("frozen0", steps: 100_000, extra: [
            "--global-batch", "6", "--checkpoint-every", "2", "--collective-timeout", "2"]))
        XCTAssertTrue(job.wait(until: { $0.stdout.contains("checkpoint-00000004.h5") }, timeout: 60), job.stderr)
        let ranks = try Self.children(of: job.process.processIdentifier)
        let zero = try XCTUnwrap(try ranks.first { try Self.worldRank(of: $0) == 0 })
        XCTAssertEqual(kill(zero, SIGSTOP), 0)
        defer { kill(zero, SIGKILL) }
        let result = job.finish(timeout: 60)
        assertOneErrorLine(result, "rank 0 (host ", "rank 0 frozen among 3")
    }

    /// A collective that is only slow (every rank still answers the roll call) is waited for: a
    /// rank paused for longer than the timeout, then let go, finishes the run with the others.
    func testASlowRankThatStillAnswersIsWaitedFor() throws {
        let job = try MPIRun.start(ranks: 2, ["train"] + start("slow", steps: 40, extra: ["--collective-timeout", "1"]))
        XCTAssertTrue(job.wait(until: { $0.stdout.contains("step 3/") }, timeout: 60), job.stderr)
        let paused = try XCTUnwrap(try Self.children(of: job.process.processIdentifier).max())
        XCTAssertEqual(kill(paused, SIGSTOP), 0)
        usleep(1_500_000)   // the other rank calls the roll after 1 s and waits 2 s for answers
        XCTAssertEqual(kill(paused, SIGCONT), 0)
        let result = job.finish(timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("step 40/40"), result.stdout)
    }

    /// Whether the process is gone (or a zombie) within `seconds`.
    static func ends(_ pid: Int32, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if stat.split(separator: ")").last?.split(separator: " ").first == "Z" { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    /// A rank busy on its own for longer than the timeout (rank 0 writing a checkpoint, held there
    /// by --pause-before-commit) answers the roll call from its listening thread, so the other
    /// waits: nobody is named, and the job goes on until the busy rank is killed.
    func testARankBusyOnItsOwnPastTheTimeoutIsWaitedFor() throws {
        let job = try MPIRun.start(ranks: 2, ["train"] + start("busy", steps: 100, extra: [
            "--checkpoint-every", "4", "--pause-before-commit", "4", "--collective-timeout", "1"]))
        XCTAssertTrue(job.wait(until: { $0.stderr.contains("paused before committing") }, timeout: 60), job.stderr)
        sleep(6)   // the other rank called the roll after 1 s, heard the answer, and called again
        XCTAssertTrue(job.process.isRunning, "the job ended while rank 0 was busy:\n\(job.stderr)")
        XCTAssertFalse(job.stderr.contains("stopped answering"), job.stderr)
        let pidText = try XCTUnwrap(job.stderr.split(separator: "(pid ").last?.prefix { $0.isNumber })
        XCTAssertEqual(kill(pid_t(pidText)!, SIGKILL), 0)
        XCTAssertFalse(job.finish(timeout: 60).timedOut)
    }

    /// A rank that answers but stays outside any collective for 10 timeouts (rank 0 held inside a
    /// checkpoint write, as by a hung file system) is stuck: one line names it, and the verdict
    /// ends it too, so the job ends with no process left.
    func testARankStuckOutsideACollectiveIsNamedAfterTenTimeouts() throws {
        let job = try MPIRun.start(ranks: 2, ["train"] + start("stuck", steps: 100, extra: [
            "--checkpoint-every", "4", "--pause-before-commit", "4", "--collective-timeout", "1"]))
        XCTAssertTrue(job.wait(until: { $0.stderr.contains("paused before committing") }, timeout: 60), job.stderr)
        let pidText = try XCTUnwrap(job.stderr.split(separator: "(pid ").last?.prefix { $0.isNumber })
        let stuck = try XCTUnwrap(pid_t(pidText))
        defer { kill(stuck, SIGKILL) }
        let result = job.finish(timeout: 60)
        assertOneErrorLine(result, "rank 0 (host ", "a stuck rank")
        XCTAssertTrue(result.stderr.contains("answers but began no collective for 10 s (10 x --collective-timeout)"), result.stderr)
        XCTAssertTrue(Self.ends(stuck, within: 5), "the stuck rank was left behind")
    }

    /// OMPI_COMM_WORLD_RANK from a rank's environment.
    static func worldRank(of pid: Int32) throws -> Int {
        let environment = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        let entry = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.first { $0.hasPrefix("OMPI_COMM_WORLD_RANK=") }
        return try XCTUnwrap(Int(try XCTUnwrap(entry).dropFirst("OMPI_COMM_WORLD_RANK=".count)))
    }
}
