import Foundation
import XCTest

/// Fault-injection suite: ranks launched with different settings, data or kernel paths (MPMD).
final class FaultDisagreeingRankTests: RunFolderTestCase {
    /// Ranks with different element-wise kernel paths agree on the lowest (rank 1 is told to use
    /// the portable one); a path the CPU cannot run is refused in one line on every rank.
    func testRanksAgreeOnTheLowestKernelPath() throws {
        let common = ["train", "--preset", "tiny", "--steps", "2", "--data", dataset.path]
        let run = folder("mixed")
        // MPMD: rank 0 as it is, rank 1 with VRNN_KERNELS=portable.
        let mixed = try MPIRun.run(ranks: 1, common + ["--run", run, ":", "-np", "1", "/usr/bin/env", "VRNN_KERNELS=portable", MPIRun.vrnn]
                                   + common + ["--run", run])
        XCTAssertEqual(mixed.status, 0, mixed.stderr)
        XCTAssertTrue(mixed.stdout.contains("element-wise kernels portable"), mixed.stdout)
        let refused = try MPIRun.run(ranks: 2, common + ["--run", folder("refused")],
                                     environment: ["VRNN_KERNELS": "avx1024"], timeout: 60)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.stderr.split(separator: "\n").filter { $0.contains("VRNN_KERNELS=avx1024 is not a kernel path") }.count,
                       1, refused.stderr)
    }

    /// Ranks started with different settings or data (an MPMD launch) are stopped before the
    /// first step with one line naming the first difference, and nothing is written.
    func testRanksWithDifferentSettingsAreRefused() throws {
        let other = runs.appendingPathComponent("other.h5")
        let text = try MPIRun.text(count: 12_000)
        defer { try? FileManager.default.removeItem(at: text) }
        let copied = try MPIRun.run(ranks: 1, ["prepare", "text", text.path, "--out", other.path, "--valid-fraction", "0.3"])
        XCTAssertEqual(copied.status, 0, copied.stderr)
        for (rank1, message) in [(["--steps", "5"], "training.steps differs"), (["--check-every", "3"], "control.checkEvery differs"),
                                 (["--data", other.path], "the ranks read different training data")] {
            let run = folder(UUID().uuidString)
            let common = ["train", "--preset", "tiny", "--run", run]
            var second = common + ["--steps", "4", "--data", dataset.path]
            for (i, flag) in rank1.enumerated() where i % 2 == 0 {
                if let at = second.firstIndex(of: flag) { second[at + 1] = rank1[i + 1] } else { second += [flag, rank1[i + 1]] }
            }
            let result = try MPIRun.run(ranks: 1, common + ["--steps", "4", "--data", dataset.path, ":", "-np", "1", MPIRun.vrnn] + second,
                                        timeout: 60)
            XCTAssertFalse(result.timedOut, "\(rank1) hung")
            XCTAssertNotEqual(result.status, 0, "\(rank1) must be refused")
            XCTAssertEqual(result.stderr.split(separator: "\n").filter { $0.contains(message) }.count, 1, "\(rank1):\n\(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/config.json"), "nothing is written for a refused job")
        }
    }
}
