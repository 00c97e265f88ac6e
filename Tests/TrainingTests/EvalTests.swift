import Foundation
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
        XCTAssertEqual(figures(mean1.stdout)["elbo"], figures(mean2.stdout)["elbo"], "z = mu_q does not depend on the seed")
        XCTAssertNil(figures(mean1.stdout)["ll"])

        let other = try vrnn(["eval", "--checkpoint", path("run"), "--data", path("other.h5")], ranks: 2)
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("normalised with other statistics"), other.stderr)
        XCTAssertEqual(other.stderr.components(separatedBy: "vrnn: error").count - 1, 1, other.stderr)
    }
}
