import Foundation
import XCTest

/// Fault-injection suite: a truncated checkpoint met by resume, inspect and export.
final class FaultDamagedCheckpointTests: RunFolderTestCase {
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
}
