import Foundation
import VRNN
import XCTest

/// The same run on 1, 2 and 4 ranks (ARCHITECTURE §3), through the real CLI under mpirun.
final class DistributedTrainingTests: XCTestCase {
    var textFile: URL!
    var dataset: URL!
    var runs: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else {
            throw XCTSkip("\(MPIRun.vrnn) is not built (swift build --build-tests builds it)")
        }
        textFile = try MPIRun.text(count: 20_000)
        runs = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-runs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        dataset = runs.appendingPathComponent("text.h5")
        let prepared = try MPIRun.run(ranks: 1, ["prepare", "text", textFile.path, "--out", dataset.path, "--valid-fraction", "0.2"])
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
    }

    override func tearDown() {
        if let textFile { try? FileManager.default.removeItem(at: textFile) }
        if let runs { try? FileManager.default.removeItem(at: runs) }
    }

    /// Validation losses printed: "step k/S  validation loss X nats ...".
    static func validationLosses(_ output: String) -> [Double] {
        output.split(separator: "\n").compactMap { line -> Double? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4, fields[0] == "step", fields[2] == "validation" else { return nil }
            return Double(fields[4])
        }
    }

    /// Losses printed per step: "step k/S  loss X nats ...".
    static func losses(_ output: String) -> [Double] {
        output.split(separator: "\n").compactMap { line -> Double? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[0] == "step", fields[2] == "loss" else { return nil }
            return Double(fields[3])
        }
    }

    /// Training losses then validation losses (every 25 steps) of a run.
    func train(ranks: Int, mpiOptions: [String] = [], steps: Int, gradient: URL, extra: [String] = []) throws -> [Double] {
        let result = try MPIRun.run(ranks: ranks, mpiOptions: mpiOptions, [
            "train", "--data", dataset.path, "--run", runs.appendingPathComponent(UUID().uuidString).path,
            "--preset", "tiny", "--global-batch", "8", "--window", "16", "--steps", "\(steps)", "--log-every", "1",
            "--valid-every", "25", "--check-every", "10", "--seed", "5", "--dump-first-gradient", gradient.path] + extra)
        XCTAssertFalse(result.timedOut, "\(ranks) ranks timed out")
        XCTAssertEqual(result.status, 0, "\(ranks) ranks: \(result.stderr)")
        let losses = Self.losses(result.stdout), valid = Self.validationLosses(result.stdout)
        XCTAssertEqual(losses.count, steps, "\(ranks) ranks printed \(losses.count) of \(steps) steps:\n\(result.stdout)")
        XCTAssertEqual(valid.count, (steps + 24) / 25, "validation losses of \(ranks) ranks")
        return losses + valid
    }

    static func gradient(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    func testOneTwoAndFourRanksAgree() throws { try assertRanksAgree([1, 2, 4]) }

    /// A gradient of 97,088 floats, over 64 KB per rank on 2 and 4 ranks, is summed by the ring
    /// allreduce (RingAllreduce), not by MPI's: 1, 2 and 4 ranks still agree.
    func testAGradientSummedByTheRingKeepsRanksEqual() throws { try assertRanksAgree([1, 2, 4], extra: ["--hidden", "128"]) }

    /// The recipe's parts that draw or schedule (dropout masks, the residual posterior, a cosine
    /// schedule with warm-up, AdamW) keep N ranks equal to 1.
    func testTheRecipeKeepsOneAndTwoRanksEqual() throws {
        try assertRanksAgree([1, 2], extra: ["--dropout", "0.2", "--posterior", "residual", "--lr-schedule", "cosine", "--warmup-steps", "5",
                                             "--weight-decay", "0.01"])
    }

    func assertRanksAgree(_ rankCounts: [Int], extra: [String] = []) throws {
        let steps = 50
        var curves: [Int: [Double]] = [:], gradients: [Int: [Float]] = [:]
        for ranks in rankCounts {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-grad-\(ranks)-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: url) }
            curves[ranks] = try train(ranks: ranks, steps: steps, gradient: url, extra: extra)
            gradients[ranks] = try Self.gradient(url)
        }
        let reference = gradients[1]!
        let scale = Double(reference.map(abs).max()!)
        XCTAssertGreaterThan(scale, 0)
        for ranks in rankCounts.dropFirst() {
            let g = gradients[ranks]!
            XCTAssertEqual(g.count, reference.count)
            let difference = zip(g, reference).map { abs(Double($0) - Double($1)) }.max()!
            XCTAssertLessThan(difference / scale, 1e-5, "first-step gradient, \(ranks) ranks vs 1")
            let worst = zip(curves[ranks]!, curves[1]!).map { abs($0 - $1) / abs($1) }.max()!
            XCTAssertLessThan(worst, 1e-3, "loss curve, \(ranks) ranks vs 1")
            print("\(ranks) ranks vs 1: first-step gradient \(difference / scale), loss curve \(worst)")
        }
        XCTAssertLessThan(curves[1]![45..<50].reduce(0, +), curves[1]!.prefix(5).reduce(0, +), "the run learns")
    }

    /// Many real-valued sequences packed per stream with resets: 1 and 2 ranks agree.
    func testManySequenceRealValuedDataAgreesOnOneAndTwoRanks() throws {
        let synthetic = runs.appendingPathComponent("synthetic.h5")
        let prepared = try MPIRun.run(ranks: 1, ["prepare", "synthetic", "--out", synthetic.path, "--sequences", "60"])
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        var curves: [[Double]] = []
        for ranks in [1, 2] {
            let result = try MPIRun.run(ranks: ranks, [
                "train", "--data", synthetic.path, "--run", runs.appendingPathComponent(UUID().uuidString).path,
                "--preset", "tiny", "--global-batch", "4", "--window", "24", "--steps", "20", "--log-every", "1",
                "--valid-every", "10"])
            XCTAssertEqual(result.status, 0, result.stderr)
            curves.append(Self.losses(result.stdout) + Self.validationLosses(result.stdout))
        }
        XCTAssertEqual(curves[0].count, 22)
        for (a, b) in zip(curves[0], curves[1]) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(abs(a), 1)) }
        XCTAssertLessThan(curves[0][19], curves[0][0], "the run learns")
    }

    /// A validation split too short for one window per stream is skipped, and the log says so.
    func testTooShortValidationSplitIsValidatedWholeAndBudgetsAreLogged() throws {
        // 4,000 validation characters over 8 streams leave 500 each, fewer than a window of 600:
        // the split is validated whole, with the same figure on 1 and 2 ranks.
        var figures: [Double] = []
        for ranks in [1, 2] {
            let result = try MPIRun.run(ranks: ranks, [
                "train", "--data", dataset.path, "--run", runs.appendingPathComponent(UUID().uuidString).path,
                "--preset", "tiny", "--global-batch", "8", "--window", "600", "--steps", "1"])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("is too short for 8 streams of one window of 600, so its 1 sequence is validated whole"), result.stdout)
            figures += Self.validationLosses(result.stdout)
        }
        XCTAssertEqual(figures.count, 2)
        XCTAssertTrue(figures.allSatisfy(\.isFinite))
        XCTAssertEqual(figures[0], figures[1], accuracy: 1e-3 * abs(figures[0]))
        // A budget of 2 windows per stream reads 8 x 2 x 32 rows, and says how to read them all.
        let budget = try MPIRun.run(ranks: 1, [
            "train", "--data", dataset.path, "--run", runs.appendingPathComponent(UUID().uuidString).path,
            "--preset", "tiny", "--steps", "1", "--valid-windows", "2"])
        XCTAssertEqual(budget.status, 0, budget.stderr)
        XCTAssertTrue(budget.stdout.contains("validation reads 8 streams x 2 windows of 32 = 512 of the split's 4000 rows "
                                             + "(--valid-windows 2; --valid-all reads every row)"), budget.stdout)
        let all = try MPIRun.run(ranks: 2, [
            "train", "--data", dataset.path, "--run", runs.appendingPathComponent(UUID().uuidString).path,
            "--preset", "tiny", "--steps", "1", "--valid-all"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stdout.contains("validation reads all 4000 rows of the split (--valid-all), in segments of 32 from a zero state"),
                      all.stdout)
        XCTAssertEqual(Self.validationLosses(all.stdout).count, 1)
    }

    /// The transport multi-node runs use.
    func testTwoRanksOverTCP() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-grad-tcp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let tcp = try train(ranks: 2, mpiOptions: ["--mca", "btl", "tcp,self"], steps: 10, gradient: url)
        let shared = try train(ranks: 2, steps: 10, gradient: url)
        XCTAssertEqual(tcp, shared)
    }

    /// `vrnn bench` runs on 2 ranks and reports every figure (no timing is asserted).
    func testBenchReportsThroughputScalingAndCeiling() throws {
        let result = try MPIRun.run(ranks: 2, ["bench", "--preset", "tiny", "--steps", "2", "--warmup", "0", "--rounds", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for expected in ["OpenBLAS kernel", "sgemm", "round 1, char-steps/s rank by rank: alone ", "round 2,", "side by side",
                         "1 rank, G=4:", "2 ranks, G=8:", "weak-scaling efficiency 1 -> 2 ranks", "sharing the machine leaves",
                         "inside the 2-rank run, ms a step rank by rank: computing ", "a slower rank leaves",
                         "allreduce of the gradient", "(medians of 2 rounds)", "by CPU time: "] {
            XCTAssertTrue(result.stdout.contains(expected), "missing \(expected) in:\n\(result.stdout)")
        }
    }

    /// `vrnn bench --json` gives each round and each rank; its efficiency is the median of the rounds'.
    func testBenchJSONGivesRoundsAndRanks() throws {
        let result = try MPIRun.run(ranks: 2, ["bench", "--preset", "tiny", "--steps", "2", "--warmup", "0", "--rounds", "3", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = try XCTUnwrap(result.stdout.split(separator: "\n").last)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        XCTAssertEqual(report["rounds"] as? Int, 3)
        XCTAssertEqual((report["alone_char_steps_per_s_by_rank"] as? [Double])?.count, 2)
        let rounds = try XCTUnwrap(report["weak_scaling_efficiency_by_round"] as? [Double])
        XCTAssertEqual(rounds.count, 3)
        let efficiency = try XCTUnwrap(report["weak_scaling_efficiency"] as? Double)
        XCTAssertEqual(efficiency, rounds.sorted()[1], "the efficiency is the median of the rounds")
        for key in ["sharing_efficiency", "synchronisation_efficiency", "char_steps_per_s_1", "char_steps_per_s_n",
                    "char_steps_per_cpu_s_1"] {
            let value = try XCTUnwrap(report[key] as? Double, key)
            XCTAssertTrue(value > 0 && value.isFinite, "\(key) = \(value)")
        }
        // Inside the 2-rank run: every rank computes, and waits in collectives for no negative
        // time; the two shares it leaves are fractions.
        let compute = try XCTUnwrap(report["compute_ms_by_rank"] as? [Double]), waits = try XCTUnwrap(report["collective_ms_by_rank"] as? [Double])
        XCTAssertEqual(compute.count, 2)
        XCTAssertEqual(waits.count, 2)
        XCTAssertTrue(compute.allSatisfy { $0 > 0 && $0.isFinite } && waits.allSatisfy { $0 >= 0 && $0.isFinite }, "\(compute) \(waits)")
        for key in ["balance_efficiency", "slowest_rank_efficiency"] {
            let value = try XCTUnwrap(report[key] as? Double, key)
            XCTAssertTrue(value > 0 && value <= 1, "\(key) = \(value)")
        }
        // Linux tells what the host took from the cores; a share of their time.
        let steal = try XCTUnwrap(report["host_steal_percent"] as? Double, "host_steal_percent")
        XCTAssertTrue(steal >= 0 && steal <= 100, "host_steal_percent = \(steal)")
    }

    /// `vrnn bench --phases` times every phase of the step on 2 ranks: every phase is reported,
    /// and together they take about as long as a step of the measured rate.
    func testBenchPhasesCoverTheWholeStep() throws {
        let arguments = ["bench", "--preset", "tiny", "--steps", "6", "--warmup", "1", "--rounds", "1", "--phases"]
        let text = try MPIRun.run(ranks: 2, arguments)
        XCTAssertEqual(text.status, 0, text.stderr)
        for expected in ["where a step's time goes (rank 0, 6 steps of G=8 over 2 ranks)", "the allreduce phase rank by rank: "]
                + StepPhases.Phase.allCases.map(\.label) {
            XCTAssertTrue(text.stdout.contains(expected), "missing \(expected) in:\n\(text.stdout)")
        }
        let result = try MPIRun.run(ranks: 2, arguments + ["--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = try XCTUnwrap(result.stdout.split(separator: "\n").last)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        let phases = try XCTUnwrap(report["phase_ms_per_step"] as? [String: Double], String(line))
        XCTAssertEqual(Set(phases.keys), Set(StepPhases.Phase.allCases.map(\.rawValue)))
        // Every phase does some work in every step: a phase never marked would show 0.
        XCTAssertTrue(phases.values.allSatisfy { $0 > 0 && $0.isFinite }, "\(phases)")
        // Every rank's allreduce phase, rank 0's the one above.
        let waits = try XCTUnwrap(report["phase_allreduce_ms_by_rank"] as? [Double], String(line))
        XCTAssertEqual(waits.count, 2)
        XCTAssertEqual(waits[0], phases["allreduce"]!, accuracy: 1e-9)
        XCTAssertTrue(waits.allSatisfy { $0 > 0 && $0.isFinite }, "\(waits)")
        // The phases tile the step: their sum is a step's time, which the rate also gives (a
        // separate measurement on a shared machine, hence the wide margin).
        let rate = try XCTUnwrap(report["char_steps_per_s_n"] as? Double)
        let stepMs = 1e3 * Double(8 * 32) / rate, summed = phases.values.reduce(0, +)
        XCTAssertTrue(summed > stepMs / 3 && summed < 3 * stepMs, "phases sum to \(summed) ms, a step takes \(stepMs) ms")
    }

    /// Each gets one `vrnn: error:` line, a non-zero exit, and no hang.
    func testBadSetupsFailCleanlyOnEveryRank() throws {
        let cases: [(ranks: Int, arguments: [String], message: String)] = [
            (3, ["--global-batch", "8"], "cannot be split over 3 ranks"),
            (4, ["--global-batch", "2"], "cannot be split over 4 ranks"),
            (2, ["--text", "/nonexistent/data.txt"], "/nonexistent/data.txt: cannot read the file"),
            (2, ["--no-such-flag"], "Unknown option '--no-such-flag'"),
            (2, ["--data", "/nonexistent/data.h5"], "/nonexistent/data.h5: no such file"),
            (2, ["--data", "TEXT"], "not an HDF5 file"),
            (2, ["--data", "FIXTURE"], "not a vrnn dataset"),
            (2, ["--run", "EXISTING"], "already holds a run"),
            (2, ["--global-batch", "64", "--window", "400"], "the data's length allows --global-batch 40 at this --window"),
            (2, ["--steps", "-1"], "--steps (training.steps in config.json) must be at least 1 (got -1)"),
            (2, ["--sigma-min", "1e30"], "--sigma-min must be between 0 and 10"),
            (2, ["--eps", "inf"], "--eps (training.adam.epsilon in config.json) must be a positive number (got inf)"),
            (2, ["--lr", "abc"], "The value 'abc' is invalid for '--lr <lr>' (vrnn train --help lists the options)"),
            (2, ["--head", "gaussian", "--mixtures", "5"], "--mixtures applies to the gmm and pen heads, not --head gaussian"),
            (2, ["--variant", "vrnn-i", "--posterior", "residual"], "--posterior residual builds q from the learned prior"),
            (2, ["--lr-min", "0.0001"], "--lr-min applies to --lr-schedule cosine or step, not constant"),
            (2, ["--lr-schedule", "cosine", "--lr-decay", "0.5"], "--lr-decay and --lr-decay-every apply to --lr-schedule step"),
            (2, ["--lr-schedule", "cosine", "--steps", "10", "--warmup-steps", "10"], "--warmup-steps (training.lrSchedule.warmupSteps in config.json) must be below the schedule's 10 steps"),
            (2, ["--dropout", "1"], "--dropout (training.dropout in config.json) must be in [0, 1) (got 1.0)"),
        ]
        let existing = runs.appendingPathComponent("existing")
        try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: existing.appendingPathComponent("config.json").path, contents: Data("{}".utf8))
        let fixture = MPIRun.root.appendingPathComponent("Tests/VRNNTests/Fixtures/reference.h5").path
        for (ranks, extra, message) in cases {
            let substituted = extra.map { ["TEXT": textFile.path, "FIXTURE": fixture, "EXISTING": existing.path][$0] ?? $0 }
            var arguments = ["train", "--preset", "tiny", "--steps", "3"] + substituted
            if !extra.contains("--text") && !extra.contains("--data") { arguments += ["--data", dataset.path] }
            if !extra.contains("--run") { arguments += ["--run", runs.appendingPathComponent(UUID().uuidString).path] }
            let result = try MPIRun.run(ranks: ranks, arguments, timeout: 60)
            XCTAssertFalse(result.timedOut, "\(extra) hung")
            XCTAssertNotEqual(result.status, 0, "\(extra) must fail")
            let ours = result.stderr.split(separator: "\n").filter { $0.contains(message) }
            XCTAssertEqual(ours.count, 1, "\(extra): expected one line containing \(message), got:\n\(result.stderr)")
        }
    }

    /// `vrnn bench` refuses sizes it cannot run with one line on every rank count (a window of 0
    /// crashed it, and one too large for memory would have ended in an allocation failure).
    func testBenchRefusesImpossibleSizes() throws {
        for (extra, message) in [(["--window", "0"], "--window must be at least 1 (got 0)"),
                                 (["--global-batch", "0"], "--global-batch must be at least 1 (got 0)"),
                                 (["--window", "100000000000"], "benchmarking this model (")] {
            let result = try MPIRun.run(ranks: 2, ["bench", "--preset", "tiny", "--rounds", "1", "--steps", "1"] + extra, timeout: 60)
            XCTAssertFalse(result.timedOut, "\(extra) hung")
            XCTAssertNotEqual(result.status, 0, "\(extra) must fail")
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
            XCTAssertEqual(lines.count, 1, "\(extra): \(result.stderr)")
            XCTAssertTrue(lines.first?.contains(message) == true, "\(extra): \(result.stderr)")
        }
    }

    /// A mistyped option is named as unknown, even when the options given then also miss
    /// something (the typo hides --text) or break a range: the parser's check comes first. The
    /// line points to the help of the subcommand named, however deep.
    func testAMistypedOptionIsNamedFirst() throws {
        let cases: [(arguments: [String], typo: String, help: String)] = [
            (["train", "--preset", "tiny", "--txt", textFile.path], "--txt", "vrnn train --help"),
            (["bench", "--rounds", "0", "--collective-timout", "5"], "--collective-timout", "vrnn bench --help"),
            (["prepare", "audio", textFile.path, "--frame", "0", "--out", "/nonexistent/a.h5", "--fram", "2"], "--fram", "vrnn prepare audio --help"),
        ]
        for (arguments, typo, help) in cases {
            let result = try MPIRun.run(ranks: 2, arguments, timeout: 60)
            XCTAssertFalse(result.timedOut)
            XCTAssertEqual(result.status, 64, result.stderr)
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
            XCTAssertEqual(lines.count, 1, result.stderr)
            XCTAssertTrue(lines.first?.contains("Unknown option '\(typo)'") == true, result.stderr)
            XCTAssertTrue(lines.first?.hasSuffix("(\(help) lists the options)") == true, result.stderr)
        }
    }

    /// A --config file passes the same checks as flags: one line naming the field and its flag.
    func testConfigFileValuesAreCheckedLikeFlags() throws {
        let first = runs.appendingPathComponent("first").path
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["train", "--preset", "tiny", "--steps", "1", "--data", dataset.path, "--run", first, "--quiet"]).status, 0)
        let saved = try String(contentsOfFile: first + "/config.json", encoding: .utf8)
        for (from, to, message) in [("\"learningRate\" : 0.003", "\"learningRate\" : -1", "--lr (training.adam.learningRate in config.json) must be a positive number"),
                                    ("\"window\" : 32", "\"window\" : -3", "--window (training.window in config.json) must be at least 1")] {
            XCTAssertTrue(saved.contains(from), saved)
            let bad = runs.appendingPathComponent("bad-\(UUID().uuidString).json")
            try saved.replacingOccurrences(of: from, with: to).write(to: bad, atomically: true, encoding: .utf8)
            let result = try MPIRun.run(ranks: 2, ["train", "--config", bad.path, "--data", dataset.path,
                                                   "--run", runs.appendingPathComponent(UUID().uuidString).path], timeout: 60)
            XCTAssertFalse(result.timedOut)
            XCTAssertNotEqual(result.status, 0)
            XCTAssertEqual(result.stderr.split(separator: "\n").filter { $0.contains(message) }.count, 1, result.stderr)
        }
    }

}
