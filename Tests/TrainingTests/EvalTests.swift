import Foundation
import Storage
import XCTest

/// `vrnn eval` through the CLI: the same figures on 1 and 2 ranks, a deterministic
/// --posterior-mean, the importance-sampled bound below the ELBO, and refused mismatches.
final class EvalTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else {
            throw XCTSkip("\(MPIRun.vrnn) is not built (swift build --build-tests builds it)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func vrnn(_ arguments: [String], ranks: Int = 1) throws -> MPIRun.Result {
        let result = try MPIRun.run(ranks: ranks, arguments, timeout: 120)
        XCTAssertFalse(result.timedOut, "\(arguments) timed out")
        return result
    }

    /// "negative ELBO" and "-log p(x)" per step from eval's output.
    func figures(_ output: String) -> [String: Double] {
        var found: [String: Double] = [:]
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("negative ELBO") { found["elbo"] = Double(words[2]) }
            if line.hasPrefix("-log p(x)") { found["ll"] = Double(words[5]) }
        }
        return found
    }

    func testEvaluationAgreesAcrossRanksAndTheBoundIsTighter() throws {
        for (name, extra) in [("pen.h5", []), ("other.h5", ["--seed", "2"])] {
            let prepared = try vrnn(["prepare", "synthetic", "--out", path(name), "--sequences", "30", "--figures", "2"] + extra)
            XCTAssertEqual(prepared.status, 0, prepared.stderr)
        }
        let trained = try vrnn(["train", "--data", path("pen.h5"), "--run", path("run"), "--preset", "tiny", "--global-batch", "4",
                                "--window", "25", "--steps", "30", "--quiet"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let common = ["eval", "--checkpoint", path("run"), "--data", path("pen.h5"), "--quiet"]
        let one = try vrnn(common + ["--importance-samples", "8"]), two = try vrnn(common + ["--importance-samples", "8"], ranks: 2)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual(two.status, 0, two.stderr)
        let a = figures(one.stdout), b = figures(two.stdout)
        XCTAssertEqual(a.keys.sorted(), ["elbo", "ll"], one.stdout)
        for key in a.keys { XCTAssertEqual(a[key]!, b[key]!, accuracy: 1e-4 * abs(a[key]!), "\(key): 1 rank vs 2") }
        XCTAssertTrue(one.stdout.contains("3 sequences, 294 steps"), one.stdout)
        XCTAssertLessThan(a["ll"]!, a["elbo"]!, "the K = 8 estimate must be tighter than the ELBO")

        let mean1 = try vrnn(common + ["--posterior-mean", "--seed", "1"]), mean2 = try vrnn(common + ["--posterior-mean", "--seed", "9"], ranks: 2)
        XCTAssertNotNil(figures(mean1.stdout)["elbo"], mean1.stdout)
        XCTAssertEqual(figures(mean1.stdout)["elbo"], figures(mean2.stdout)["elbo"], "z = mu_q does not depend on the seed")
        XCTAssertNil(figures(mean1.stdout)["ll"])

        let other = try vrnn(["eval", "--checkpoint", path("run"), "--data", path("other.h5")], ranks: 2)
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("normalised with other statistics"), other.stderr)
        XCTAssertEqual(other.stderr.components(separatedBy: "vrnn: error").count - 1, 1, other.stderr)
    }
}

extension EvalTests {
    /// The other outputs of a trained model: SVG drawings with the reconstruction and the shape
    /// report, loss curves, and audio back to WAV.
    func testPenDrawingsLossCurvesAndWaveforms() throws {
        XCTAssertEqual(try vrnn(["prepare", "synthetic", "--out", path("pen.h5"), "--sequences", "20", "--figures", "2"]).status, 0)
        XCTAssertEqual(try vrnn(["train", "--data", path("pen.h5"), "--run", path("pen"), "--preset", "tiny", "--global-batch", "4",
                                 "--window", "25", "--steps", "4", "--quiet"]).status, 0)
        let drawn = try vrnn(["sample", "--checkpoint", path("pen"), "--samples", "3", "--length", "120", "--reconstruct", path("pen.h5"),
                              "--out", path("pen.svg")])
        XCTAssertEqual(drawn.status, 0, drawn.stderr)
        let svg = try String(contentsOfFile: path("pen.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("reconstruction: z = mu_q") && svg.contains("sample 3 of 3"), svg)
        XCTAssertTrue(drawn.stdout.contains("shapes in the 3 samples (switching task)"), drawn.stdout)
        let refused = try vrnn(["sample", "--checkpoint", path("pen"), "--out", path("pen.wav")])
        XCTAssertTrue(refused.status != 0 && refused.stderr.contains("WAV output is for models of audio"), refused.stderr)

        // An explicit --out is not overwritten without --force; the run's own losses.svg is redrawn.
        let kept = try vrnn(["plot", path("pen"), "--out", path("pen.svg")])
        XCTAssertTrue(kept.status != 0 && kept.stderr.contains("already exists"), kept.stderr)
        XCTAssertEqual(try String(contentsOfFile: path("pen.svg"), encoding: .utf8), svg)
        let plotted = try vrnn(["plot", path("pen")])
        XCTAssertEqual(plotted.status, 0, plotted.stderr)
        let curves = try String(contentsOfFile: path("pen") + "/losses.svg", encoding: .utf8)
        XCTAssertEqual(curves.components(separatedBy: "<polyline").count - 1, 3, "training, reconstruction and KL (its weight is 1 throughout)")

        // 2 s of a 440 Hz tone at 8 kHz in frames of 200 samples.
        let tone = (0..<16_000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 8000)) }
        try WAVFile.encode(tone, sampleRate: 8000).write(to: folder.appendingPathComponent("tone.wav"))
        XCTAssertEqual(try vrnn(["prepare", "audio", path("tone.wav"), "--out", path("tone.h5"), "--frame", "200"]).status, 0)
        XCTAssertEqual(try vrnn(["train", "--data", path("tone.h5"), "--run", path("tone"), "--preset", "tiny", "--global-batch", "2",
                                 "--window", "8", "--steps", "2", "--quiet"]).status, 0)
        let audio = try vrnn(["sample", "--checkpoint", path("tone"), "--samples", "2", "--length", "10", "--out", path("out.wav")])
        XCTAssertEqual(audio.status, 0, audio.stderr)
        let read = try AudioFile.frames(path("out.wav"), frameSize: 1)
        XCTAssertEqual(read.sampleRate, 8000)
        XCTAssertEqual(read.sequence.length, 2 * 10 * 200 + 8000 / 4, "two samples of 10 frames and a quarter second between")
    }
}
