import Foundation
import XCTest

/// Fault-injection suite: sizes no machine has, refused before anything is allocated.
final class FaultUnallocatableSizeTests: CLITestCase {
    /// Sizes no machine has are refused in one line naming the need and the flags, before
    /// anything is allocated (they had aborted with a backtrace).
    func testSizesThatCannotBeAllocatedAreRefused() throws {
        let data = path("t.h5"), run = path("run")
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", try text(count: 6_000), "--out", data]).status, 0)
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["train", "--data", data, "--run", run, "--preset", "tiny", "--steps", "1", "--quiet"]).status, 0)
        let cases: [(Int, [String], String)] = [
            (2, ["train", "--data", data, "--run", folder.appendingPathComponent("big").path, "--preset", "tiny", "--hidden", "200000"], "--hidden"),
            (1, ["eval", "--checkpoint", run, "--data", data, "--importance-samples", "100000000"], "--importance-samples"),
            (1, ["sample", "--checkpoint", run, "--samples", "1000000000"], "--samples"),
            (1, ["prepare", "synthetic", "--sequences", "100000000000", "--out", folder.appendingPathComponent("s.h5").path], "--sequences"),
        ]
        for (ranks, arguments, flag) in cases {
            let result = try MPIRun.run(ranks: ranks, arguments, timeout: 60)
            assertOneErrorLine(result, "of memory but", "\(arguments)")
            XCTAssertTrue(result.stderr.contains(flag), "\(arguments):\n\(result.stderr)")
        }
    }
}
