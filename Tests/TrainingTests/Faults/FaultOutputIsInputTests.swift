import Foundation
import XCTest

/// No command writes over its own input (however the path is spelled, --force or not), over a
/// run's own files, or into a folder that does not exist; each refusal is one line, before any
/// work, and leaves the input as it was.
final class FaultOutputIsInputTests: CLITestCase {
    func testOutputsNeverReplaceInputsOrARunsFiles() throws {
        try FileManager.default.moveItem(atPath: try text(count: 8_000), toPath: path("text.txt"))
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", path("text.txt"), "--out", path("text.h5")]).status, 0)
        let trained = try MPIRun.run(ranks: 1, ["train", "--data", path("text.h5"), "--run", path("run"), "--preset", "tiny",
                                                "--steps", "3", "--quiet"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let checkpoint = path("run") + "/" + (try String(contentsOfFile: path("run") + "/latest", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        try FileManager.default.createSymbolicLink(atPath: path("alias.txt"), withDestinationPath: path("text.txt"))

        let cases: [(arguments: [String], protected: String, message: String)] = [
            (["prepare", "text", path("text.txt"), "--out", path("text.txt"), "--force"], path("text.txt"), "is the command's own input"),
            (["prepare", "text", path("text.txt"), "--out", path("alias.txt"), "--force"], path("text.txt"), "is the command's own input"),
            (["export", "--checkpoint", checkpoint, "--out", checkpoint, "--force"], checkpoint, "is the command's own input"),
            (["export", "--checkpoint", path("run"), "--out", path("run") + "/config.json", "--force"], path("run") + "/config.json",
             "is one of the files of the run"),
            (["sample", "--checkpoint", path("run"), "--out", checkpoint, "--force"], checkpoint, "is the command's own input"),
            (["sample", "--checkpoint", path("run"), "--out", path("run") + "/metrics.csv", "--force"], path("run") + "/metrics.csv",
             "is one of the files of the run"),
            (["plot", path("run"), "--out", path("run") + "/metrics.csv", "--force"], path("run") + "/metrics.csv",
             "is the command's own input"),
            (["sample", "--checkpoint", path("run"), "--out", path("missing/x.txt")], path("run") + "/latest", "does not exist"),
        ]
        for (arguments, protected, message) in cases {
            let before = try Data(contentsOf: URL(fileURLWithPath: protected))
            assertOneErrorLine(try MPIRun.run(ranks: 1, arguments, timeout: 60), message, "\(arguments)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: protected)), before, "\(arguments) changed \(protected)")
        }
        // The command's own file in a run stays writable: plot redraws losses.svg.
        let plotted = try MPIRun.run(ranks: 1, ["plot", path("run"), "--out", path("run") + "/losses.svg", "--force"])
        XCTAssertEqual(plotted.status, 0, plotted.stderr)
    }
}
