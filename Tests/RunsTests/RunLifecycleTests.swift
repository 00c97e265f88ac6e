import Foundation
@testable import Runs
import Storage
import Training
import VRNN
import XCTest

/// The run lifecycle in one process: a fresh run, a resumed one, the folder's refusals, the
/// checkpoint files and the signals a run borrows.
final class RunLifecycleTests: RunsTestCase {
    func request(_ text: String, _ run: String, steps: Int) -> RunRequest {
        var request = RunRequest(data: .text(text), folder: run) { base, data, hints in
            var config = base ?? RunConfig(preset: .tiny, fittedTo: data, hints: hints)
            config.training.steps = steps
            config.training.seed = 3
            config.control.checkpointEvery = 10
            return config
        }
        request.quiet = true
        return request
    }

    func testResumeContinuesBitIdentically() throws {
        let text = try makeText(count: 5_000)
        let straight = folder.appendingPathComponent("straight").path, split = folder.appendingPathComponent("split").path
        let whole = try TrainingRun(request(text, straight, steps: 20), collective: SingleProcess())
        try whole.train()
        try TrainingRun(request(text, split, steps: 10), collective: SingleProcess()).train()
        var resumed = RunRequest.resuming(split)
        resumed.quiet = true
        resumed.configure = { saved, _, _ in var c = saved!; c.training.steps = 20; return c }
        let continued = try TrainingRun(resumed, collective: SingleProcess())
        XCTAssertEqual(continued.trainer.step, 10)
        XCTAssertEqual(continued.config.training.seed, 3, "the run keeps its own configuration")
        try continued.train()
        XCTAssertEqual(continued.trainer.step, 20)
        XCTAssertEqual(continued.trainer.parameters.array, whole.trainer.parameters.array)
        XCTAssertEqual(try String(contentsOfFile: split + "/metrics.csv", encoding: .utf8).split(separator: "\n").count, 21)
    }

    func testAFreshRunRefusesAFolderThatHoldsOne() throws {
        let text = try makeText(count: 5_000), run = folder.appendingPathComponent("run").path
        try TrainingRun(request(text, run, steps: 2), collective: SingleProcess()).train()
        XCTAssertThrowsError(try TrainingRun(request(text, run, steps: 2), collective: SingleProcess())) { error in
            XCTAssertTrue(error is ReportedFailure, "\(error)")
        }
        XCTAssertThrowsError(try TrainingSession(request(text, run, steps: 2), SingleProcess()).openFolder(SingleProcess())) { error in
            XCTAssertTrue("\(error)".contains("already holds a run"), "\(error)")
        }
    }

    func testAResumeThatWouldChangeTheModelOrBatchIsRefused() throws {
        let text = try makeText(count: 5_000), run = folder.appendingPathComponent("run").path
        try TrainingRun(request(text, run, steps: 2), collective: SingleProcess()).train()
        var wider = RunRequest.resuming(run)
        wider.configure = { saved, _, _ in var c = saved!; c.model.hidden += 1; c.training.steps = 4; return c }
        XCTAssertThrowsError(try TrainingSession(wider, SingleProcess())) { error in
            XCTAssertTrue("\(error)".contains("model.hidden: 32 -> 33"), "\(error)")
        }
        var batch = RunRequest.resuming(run)
        batch.configure = { saved, _, _ in var c = saved!; c.training.globalBatch = 4; c.training.steps = 4; return c }
        XCTAssertThrowsError(try TrainingSession(batch, SingleProcess())) { error in
            XCTAssertTrue("\(error)".contains("--global-batch 4 differs"), "\(error)")
        }
    }

    func testTheFolderKeepsTheNewestCheckpointsAndDropsAbandonedTemporaries() throws {
        let run = RunFolder(path: folder.path)
        for step in [5, 10, 15, 20] { _ = FileManager.default.createFile(atPath: run.checkpointPath(step: step), contents: Data()) }
        _ = FileManager.default.createFile(atPath: run.checkpointPath(step: 25) + ".tmp-999", contents: Data())
        try run.publish(run.checkpointPath(step: 20), keep: 2, best: false, bestStep: nil)
        XCTAssertEqual(run.checkpoints(), ["checkpoint-00000015.h5", "checkpoint-00000020.h5"])
        XCTAssertEqual(try run.latestCheckpoint(), run.checkpointPath(step: 20))
        XCTAssertEqual(run.removeAbandonedTemporaries(), ["checkpoint-00000025.h5.tmp-999"])
        XCTAssertThrowsError(try RunFolder(path: folder.appendingPathComponent("none").path).latestCheckpoint())
        // Past step 99,999,999 the name grows a digit: the order is by number, not by string.
        for step in [99_999_999, 100_000_000] { _ = FileManager.default.createFile(atPath: run.checkpointPath(step: step), contents: Data()) }
        try run.publish(run.checkpointPath(step: 100_000_000), keep: 1, best: false, bestStep: nil)
        XCTAssertEqual(run.checkpoints(), ["checkpoint-100000000.h5"])
    }

    func testARunGivesTheStopSignalsBack() throws {
        func disposition(_ number: Int32) -> Int {
            var current = sigaction()
            sigaction(number, nil, &current)
            return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        }
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self), standard = unsafeBitCast(SIG_DFL, to: Int.self)
        signal(SIGINT, SIG_IGN)   // a host program's own choice, to be kept
        defer { signal(SIGINT, SIG_DFL) }
        XCTAssertEqual(disposition(SIGUSR1), standard)
        do {
            let stop = StopSignal()
            XCTAssertEqual(disposition(SIGUSR1), ignore, "the run's dispatch source receives it")
            withExtendedLifetime(stop) {}
        }
        XCTAssertEqual(disposition(SIGUSR1), standard)
        XCTAssertEqual(disposition(SIGINT), ignore)
    }

    /// The fingerprint `vrnn prepare` stores is the one training would compute from the data, so
    /// runs on older files and on new ones agree, and the ids stored as bytes read back unchanged.
    func testPreparedDatasetsCarryTheTrainingFingerprint() throws {
        let text = try makeText(count: 5_000), path = folder.appendingPathComponent("t.h5").path
        _ = try DatasetPreparation.text(text, vocabulary: .data, output: PreparationOutput(path: path))
        let dataset = try SequenceDataset(readingAt: path)
        XCTAssertNotNil(dataset.trainFingerprint)
        XCTAssertEqual(dataset.trainFingerprint, try SequenceData(dataset.slice(dataset.train)).fingerprint())
    }

    /// Checkpoints of vrnn before 0.7 (which dealt sequences to streams) are told apart.
    func testVersionsBefore07AreOlder() {
        XCTAssertTrue(VRNNVersion.isBefore("0.6.0", "0.7.0"))
        XCTAssertTrue(VRNNVersion.isBefore("unknown", "0.7.0"))
        XCTAssertFalse(VRNNVersion.isBefore("0.7.0", "0.7.0"))
        XCTAssertFalse(VRNNVersion.isBefore("0.10.0", "0.7.0"))
    }
}
