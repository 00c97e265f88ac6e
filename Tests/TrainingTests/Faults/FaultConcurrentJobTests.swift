import Foundation
import XCTest

/// Fault-injection suite: two jobs on one run folder.
final class FaultConcurrentJobTests: RunFolderTestCase {
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
}
