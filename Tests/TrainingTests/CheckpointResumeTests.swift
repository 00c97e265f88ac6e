import Foundation
import XCTest

/// Checkpoints and resume through the real CLI under mpirun (ARCHITECTURE §7.4 and §7.5).
final class CheckpointResumeTests: RunFolderTestCase {
    /// Same N: K steps, stop, resume to 2K gives bit-identical parameters, optimiser state,
    /// streams and loss history to 2K uninterrupted steps. The run uses a KL warm-up, free nats
    /// and the adaptive weight, so the weight's state must travel in the checkpoint too; and
    /// dropout, the residual posterior, AdamW and a step schedule with warm-up (one whose
    /// interval is given: a cosine's horizon is the run's --steps, which this resume changes).
    func testResumeOnTheSameRankCountIsBitIdentical() throws {
        let schedule = ["--kl-target", "0.05", "--kl-rate", "0.2", "--kl-warmup", "15", "--free-nats", "0.01",
                        "--dropout", "0.2", "--posterior", "residual", "--lr-schedule", "step", "--lr-decay-every", "4", "--lr-decay", "0.5",
                        "--warmup-steps", "3", "--weight-decay", "0.01"]
        try train(ranks: 2, start("straight", steps: 20, extra: ["--checkpoint-every", "10"] + schedule))
        try train(ranks: 2, start("halves", steps: 10, extra: schedule))
        let resumed = try train(ranks: 2, ["--resume", folder("halves"), "--steps", "20", "--log-every", "1"])
        XCTAssertTrue(resumed.stdout.contains("resuming"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("resume changes training.steps: 10 -> 20"), resumed.stdout)
        let straight = try latestState("straight")
        XCTAssertTrue(straight.keys.contains("params/rnn.weight_hh_l0") && straight.keys.contains("streams/hidden"))
        XCTAssertLessThanOrEqual(straight["metrics/history"]!.count, 2 * 6, "a checkpoint keeps at most two metrics rows")
        try assertIdentical(straight, try latestState("halves"))
        // metrics.csv of the resumed run equals the straight run's, step for step (losses, gradient norm, lr).
        func lossColumns(_ run: String) throws -> [String] {
            try String(contentsOfFile: folder(run) + "/metrics.csv", encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(6).joined(separator: ",") }
        }
        XCTAssertEqual(try lossColumns("halves"), try lossColumns("straight"))
        XCTAssertEqual(try lossColumns("straight").count, 20)
    }

    /// --checkpoint-minutes writes when the time is up (here at every step) and
    /// --keep-checkpoints keeps only the newest.
    func testTimedCheckpointsAndKeepingTheNewest() throws {
        try train(ranks: 2, start("timed", steps: 5, extra: ["--checkpoint-minutes", "0.000001", "--keep-checkpoints", "2"]))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder("timed")).sorted()
        XCTAssertEqual(files, ["best", "checkpoint-00000004.h5", "checkpoint-00000005.h5", "config.json", "latest", "lock", "losses.svg", "metrics.csv"])
        XCTAssertEqual(try String(contentsOfFile: folder("timed") + "/latest", encoding: .utf8), "checkpoint-00000005.h5\n")
    }

    /// Another N that divides G continues from the same per-stream state (here an LSTM, so the
    /// cell state too) and stays within float tolerance of the uninterrupted run.
    func testResumeOnAnotherRankCountStaysWithinTolerance() throws {
        let lstm = ["--cell", "lstm", "--checkpoint-every", "100"]
        try train(ranks: 1, start("straight", steps: 16, extra: lstm))
        try train(ranks: 2, start("moved", steps: 8, extra: lstm))
        try train(ranks: 4, ["--resume", folder("moved"), "--steps", "16"])
        let straight = try latestState("straight"), moved = try latestState("moved")
        XCTAssertNotNil(straight["streams/cell"])
        for (name, values) in straight where name.hasPrefix("params/") || name.hasPrefix("streams/") {
            let other = try XCTUnwrap(moved[name], name)
            let scale = max(values.map(abs).max()!, 1e-3)
            let worst = zip(values, other).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst / scale, 1e-4, "\(name)")
        }
        XCTAssertEqual(straight["streams/cursor"], moved["streams/cursor"])
    }

    /// A resume that would not continue the same run is refused with one line naming the mismatch;
    /// a new learning rate is allowed and logged.
    func testIncompatibleResumesAreRefused() throws {
        try train(ranks: 1, start("base", steps: 4))
        let other = runs.appendingPathComponent("other.h5")
        let text = try MPIRun.text(count: 9_000)
        defer { try? FileManager.default.removeItem(at: text) }
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", text.path, "--out", other.path]).status, 0)
        let cases: [([String], String)] = [
            (["--hidden", "48"], "model.hidden: 32 -> 48"),
            (["--global-batch", "4"], "--global-batch 4 differs from the checkpoint's G = 8"),
            (["--data", other.path], "is not the data of the checkpoint"),
            (["--steps", "4"], "already at step 4 of 4"),
            (["--preset", "tiny"], "drop --config, --preset and --run"),
        ]
        for (extra, message) in cases {
            var arguments = ["--resume", folder("base")] + extra
            if !extra.contains("--steps") { arguments += ["--steps", "6"] }
            let result = try train(ranks: 2, arguments, expectSuccess: false)
            XCTAssertNotEqual(result.status, 0, "\(extra) must be refused")
            XCTAssertEqual(result.stderr.split(separator: "\n").filter { $0.contains(message) }.count, 1,
                           "\(extra): expected one line with \(message):\n\(result.stderr)")
        }
        let missing = try train(ranks: 1, ["--resume", folder("nothing-here")], expectSuccess: false)
        XCTAssertTrue(missing.stderr.contains("no such run folder"), missing.stderr)
        let changed = try train(ranks: 1, ["--resume", folder("base"), "--steps", "6", "--lr", "0.0005"])
        XCTAssertTrue(changed.stdout.contains("resume changes training.adam.learningRate: 0.003 -> 0.0005"), changed.stdout)
    }

    /// Every setting a run started with comes back on resume (keep-K and checkpoint-every
    /// included, so no checkpoint is deleted by a default); a setting given again overrides it,
    /// and a new --kl-weight is the weight the resumed run trains with.
    func testResumeRestoresTheRunsSettingsAndAppliesNewOnes() throws {
        try train(ranks: 2, start("settings", steps: 6, extra: ["--keep-checkpoints", "10", "--checkpoint-every", "2", "--kl-weight", "0.5"]))
        let resumed = try train(ranks: 2, ["--resume", folder("settings"), "--steps", "12", "--kl-weight", "1"])
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: folder("settings")).filter { $0.hasPrefix("checkpoint-") }
        // Every second step, and step 7's, the run's best validation until step 12's.
        XCTAssertEqual(checkpoints.count, 7, "every second step kept, none deleted: \(checkpoints.sorted())")
        XCTAssertTrue(resumed.stdout.contains("resume changes training.kl.beta: 0.5 -> 1"), resumed.stdout)
        let rows = try String(contentsOfFile: folder("settings") + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        let header = rows[0].split(separator: ",", omittingEmptySubsequences: false)
        let weight = try XCTUnwrap(header.firstIndex(of: "kl_weight"))
        let weights = rows.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[weight])! }
        XCTAssertEqual(Array(weights.prefix(6)), Array(repeating: 0.5, count: 6))
        XCTAssertEqual(Array(weights.dropFirst(6)), Array(repeating: 1, count: 6), "the resumed run trains at the new KL weight")
        let config = try String(contentsOfFile: folder("settings") + "/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"keepCheckpoints\" : 10") && config.contains("\"checkpointEvery\" : 2"), config)
    }
}
