import Foundation
import XCTest

/// No command writes over its own input (however the path is spelled, --force or not), over a
/// run's own files, or into a folder that does not exist; each refusal is one line, before any
/// work, and leaves the input as it was.
final class OutputSafetyTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else { throw XCTSkip("\(MPIRun.vrnn) is not built") }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-outputs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { if let folder { try? FileManager.default.removeItem(at: folder) } }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func testOutputsNeverReplaceInputsOrARunsFiles() throws {
        let text = try MPIRun.text(count: 8_000)
        defer { try? FileManager.default.removeItem(at: text) }
        try FileManager.default.copyItem(atPath: text.path, toPath: path("text.txt"))
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
            let result = try MPIRun.run(ranks: 1, arguments, timeout: 60)
            XCTAssertNotEqual(result.status, 0, "\(arguments) must be refused")
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
            XCTAssertEqual(lines.count, 1, "\(arguments):\n\(result.stderr)")
            XCTAssertTrue(lines.first?.contains(message) ?? false, "\(arguments):\n\(result.stderr)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: protected)), before, "\(arguments) changed \(protected)")
        }
        // The command's own file in a run stays writable: plot redraws losses.svg.
        let plotted = try MPIRun.run(ranks: 1, ["plot", path("run"), "--out", path("run") + "/losses.svg", "--force"])
        XCTAssertEqual(plotted.status, 0, plotted.stderr)
    }
}
