import Foundation
import XCTest

/// The user's path through the real CLI (ARCHITECTURE §7.7): prepare -> mpirun train -> resume
/// -> sample -> export -> inspect.
final class EndToEndTests: XCTestCase {
    func testPrepareTrainResumeSampleExportInspect() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else { throw XCTSkip("\(MPIRun.vrnn) is not built") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try MPIRun.text(count: 20_000)
        defer { try? FileManager.default.removeItem(at: text) }
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        func vrnn(_ ranks: Int, _ arguments: [String]) throws -> MPIRun.Result {
            let result = try MPIRun.run(ranks: ranks, arguments, timeout: 180)
            XCTAssertEqual(result.status, 0, "\(arguments):\n\(result.stderr)")
            return result
        }
        _ = try vrnn(1, ["prepare", "text", text.path, "--out", path("text.h5")])
        let model = ["--preset", "tiny", "--global-batch", "8", "--window", "32", "--seed", "2", "--lr", "0.01", "--quiet"]
        _ = try vrnn(2, ["train", "--data", path("text.h5"), "--run", path("run"), "--steps", "100"] + model)
        _ = try vrnn(2, ["train", "--resume", path("run"), "--steps", "200", "--quiet"])

        let sample = try vrnn(1, ["sample", "--checkpoint", path("run"), "--prime", "the quick", "--length", "400",
                                  "--temperature", "0.5", "--seed", "4"]).stdout
        XCTAssertTrue(sample.hasPrefix("the quick"), sample)
        XCTAssertEqual(sample.utf8.count, "the quick".utf8.count + 400 + 1)   // + the final newline
        // The training text uses 27 characters; an untrained model spreads over all 128.
        let alphabet = Set(try String(contentsOf: text, encoding: .utf8))
        let learned = sample.dropFirst(9).dropLast().filter { alphabet.contains($0) }.count
        XCTAssertGreaterThan(Double(learned) / 400, 0.9, "sample:\n\(sample)")
        let words = sample.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter {
            ["the", "quick", "brown", "fox", "over", "lazy"].contains(String($0)) }
        XCTAssertGreaterThan(words.count, 5, "the sample holds words of the text:\n\(sample)")

        // A text model cannot fill a drawing: refused before sampling, nothing written.
        let drawing = try MPIRun.run(ranks: 1, ["sample", "--checkpoint", path("run"), "--out", path("text.svg")])
        XCTAssertNotEqual(drawing.status, 0)
        XCTAssertTrue(drawing.stderr.contains("a text model writes text"), drawing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("text.svg")))
        _ = try vrnn(1, ["export", "--checkpoint", path("run"), "--out", path("weights.h5")])
        let inspected = try vrnn(1, ["inspect", path("weights.h5")]).stdout
        for expected in ["vrnn-weights, format version 1", "weights/rnn.weight_hh_l0", "[96, 32]", "float32", "\"hidden\":32"] {
            XCTAssertTrue(inspected.contains(expected), "missing \(expected) in:\n\(inspected)")
        }
        let run = try vrnn(1, ["inspect", path("run")]).stdout
        XCTAssertTrue(run.contains("step 200, "), run)
        XCTAssertTrue(run.contains("metrics at step 200: training loss"), run)
        let dataset = try vrnn(1, ["inspect", path("text.h5")]).stdout
        XCTAssertTrue(dataset.contains("sequences: 2, length min 2000 / mean 10000.0 / max 18000"), dataset)
    }

    /// Help works alone and under mpirun (printed once), with every command listed.
    func testHelpIsPrintedOnceWithEveryCommand() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else { throw XCTSkip("\(MPIRun.vrnn) is not built") }
        for ranks in [1, 2] {
            let result = try MPIRun.run(ranks: ranks, ["--help"], timeout: 60)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout.components(separatedBy: "SUBCOMMANDS:").count, 2, result.stdout)
            for command in ["prepare", "train", "sample", "export", "inspect", "bench"] {
                XCTAssertTrue(result.stdout.contains("  \(command) "), "\(command) missing from:\n\(result.stdout)")
            }
        }
        let train = try MPIRun.run(ranks: 1, ["train", "--help"], timeout: 60)
        XCTAssertEqual(train.status, 0)
        for option in ["--resume", "--checkpoint-every", "--checkpoint-minutes", "--keep-checkpoints"] {
            XCTAssertTrue(train.stdout.contains(option), "\(option) missing")
        }
        XCTAssertFalse(train.stdout.contains("pause-before-commit"), "test hooks stay hidden")
    }

    /// A vocabulary built from text without '?' has nothing to stand for an unknown character:
    /// a prime with one is refused in one line (it had read memory outside the model's tables).
    func testAPrimeTheVocabularyCannotHoldIsRefused() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else { throw XCTSkip("\(MPIRun.vrnn) is not built") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-prime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try MPIRun.text(count: 6_000)   // words and spaces: no '?' and no 'Q'
        defer { try? FileManager.default.removeItem(at: text) }
        let data = folder.appendingPathComponent("v.h5").path, run = folder.appendingPathComponent("run").path
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", text.path, "--vocab", "data", "--out", data]).status, 0)
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["train", "--data", data, "--run", run, "--preset", "tiny", "--steps", "2", "--quiet"]).status, 0)
        let result = try MPIRun.run(ranks: 1, ["sample", "--checkpoint", run, "--prime", "the QQ", "--length", "20"])
        XCTAssertNotEqual(result.status, 0)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(lines.first?.contains("--prime has 2 characters outside the model's vocabulary ('Q')") ?? false, result.stderr)
    }
}
