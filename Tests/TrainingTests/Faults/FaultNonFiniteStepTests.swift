import Foundation
import XCTest

/// Fault-injection suite: a step whose loss, gradient or KL weight is not finite.
final class FaultNonFiniteStepTests: RunFolderTestCase {
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
        let column = try XCTUnwrap(rows[0].split(separator: ",").firstIndex(of: "skipped"))
        XCTAssertEqual(rows.dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[column] == "1" }.count, 3,
                       "skipped steps are counted in metrics.csv")
    }
}
