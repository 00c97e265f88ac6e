import Foundation
import XCTest

/// Checkpoints that follow quality: validation picks the run's best checkpoint, `best` names it,
/// keep-last-K never deletes it, `--early-stop N` ends the run after N validations without a new
/// best, a resumed run decides exactly as an uninterrupted one, and every reading command takes
/// `RUN:best`.
final class BestCheckpointTests: RunFolderTestCase {
    /// Training text in one word order and a validation split in capitals and another order: the
    /// validation loss falls for a few steps, then rises as the model learns the training order.
    func shiftedText() throws -> String {
        let words = ["the ", "quick ", "brown ", "fox ", "jumps ", "over ", "a ", "lazy ", "dog. ", "And ", "then\n"]
        func text(count: Int, order: (Int) -> Int) -> String {
            var s = "", i = 0
            while s.count < count { s += words[order(i) % words.count]; i += 1 }
            return String(s.prefix(count))
        }
        let file = folder("shifted.txt")
        try (text(count: 9_600) { $0 * 7 + $0 / 3 } + text(count: 2_400) { $0 * 5 + $0 / 2 }.uppercased())
            .write(toFile: file, atomically: true, encoding: .utf8)
        let data = folder("shifted.h5")
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", file, "--out", data, "--valid-fraction", "0.2"]).status, 0)
        return data
    }

    func pointer(_ run: String, _ name: String) throws -> String {
        try String(contentsOfFile: folder(run) + "/" + name, encoding: .utf8).trimmingCharacters(in: .newlines)
    }

    /// (step, validation loss) of every validation in metrics.csv.
    func validations(_ run: String) throws -> [(step: Int, loss: Double)] {
        let rows = try String(contentsOfFile: folder(run) + "/metrics.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        return rows.compactMap { row in
            let cells = row.split(separator: ",", omittingEmptySubsequences: false)
            return Double(cells[8]).map { (Int(cells[0])!, $0) }
        }
    }

    func testEarlyStopKeepsTheBestCheckpointAndResumesToTheSameDecision() throws {
        let data = try shiftedText()
        let settings = ["--data", data, "--preset", "tiny", "--global-batch", "8", "--window", "16", "--seed", "3", "--valid-every", "5",
                        "--early-stop", "3", "--keep-checkpoints", "1", "--checkpoint-every", "1000"]
        let whole = try train(ranks: 2, ["--run", folder("whole"), "--steps", "300"] + settings)
        let seen = try validations("whole")
        let best = try XCTUnwrap(seen.min { $0.loss < $1.loss })
        let last = try XCTUnwrap(seen.last)
        XCTAssertLessThan(last.step, 300, "the validation loss should rise on this data and stop the run early: \(seen)")
        XCTAssertTrue(whole.stdout.contains("vrnn: early stop at step \(last.step): 3 validations without improving"), whole.stdout)
        XCTAssertEqual(seen.filter { $0.step > best.step }.count, 3)
        XCTAssertGreaterThan(last.step, best.step)

        // `best` names the lowest validation's checkpoint; keep-last-1 kept it beside the latest.
        let bestName = String(format: "checkpoint-%08d.h5", best.step), lastName = String(format: "checkpoint-%08d.h5", last.step)
        XCTAssertEqual(try pointer("whole", "best"), bestName)
        XCTAssertEqual(try pointer("whole", "latest"), lastName)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder("whole")).filter { $0.hasPrefix("checkpoint-") }.sorted(),
                       [bestName, lastName])

        // Stopped before the early stop and resumed: the same best, the same stopping step, the same state.
        try train(ranks: 2, ["--run", folder("parts"), "--steps", "\(best.step + 5)"] + settings)
        let resumed = try train(ranks: 1, ["--resume", folder("parts"), "--steps", "300"])
        XCTAssertTrue(resumed.stdout.contains("vrnn: early stop at step \(last.step)"), resumed.stdout)
        XCTAssertEqual(try pointer("parts", "best"), bestName)
        XCTAssertEqual(try validations("parts").map(\.step), seen.map(\.step))

        // Every command that reads a checkpoint takes RUN:best.
        let exported = folder("best-weights.h5")
        for arguments in [["eval", "--checkpoint", folder("whole") + ":best", "--data", data],
                          ["sample", "--checkpoint", folder("whole") + ":best", "--length", "20"],
                          ["export", "--checkpoint", folder("whole") + ":best", "--out", exported],
                          ["inspect", folder("whole") + ":best"]] {
            let result = try MPIRun.run(ranks: 1, arguments, timeout: 60)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            if arguments[0] != "sample" { XCTAssertTrue(result.stdout.contains(bestName), "\(arguments): \(result.stdout)") }
        }
    }

    /// Without a validation split there is no best: `--early-stop` and `RUN:best` are refused in one line.
    func testWithoutValidationThereIsNoBest() throws {
        let text = try MPIRun.text(count: 3_000)
        defer { try? FileManager.default.removeItem(at: text) }
        assertOneErrorLine(try MPIRun.run(ranks: 1, ["train", "--text", text.path, "--run", folder("none"), "--preset", "tiny", "--early-stop", "2"]),
                           "--early-stop 2 needs a validation split", "--early-stop without validation")
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["train", "--text", text.path, "--run", folder("plain"), "--preset", "tiny", "--steps", "2"]).status, 0)
        assertOneErrorLine(try MPIRun.run(ranks: 1, ["sample", "--checkpoint", folder("plain") + ":best"]), "no best checkpoint", "RUN:best without validation")
        assertOneErrorLine(try MPIRun.run(ranks: 1, ["sample", "--checkpoint", folder("nowhere") + ":best"]), "no such run folder", "RUN:best of no folder")
    }
}
