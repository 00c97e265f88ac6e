import Drawing
import Foundation
@testable import Runs
import Training
import XCTest

/// metrics.csv back into columns and rows, and the curves drawn from them.
final class LossCurvesTests: XCTestCase {
    func testParsesMetricsByColumnNameWithEmptyCells() throws {
        let csv = "step,loss,valid_loss\n1,2.5,\n2,2.25,2.4\n"
        let (columns, history) = try LossCurves.parse(csv: csv, source: "m.csv")
        XCTAssertEqual(columns, ["step", "loss", "valid_loss"])
        XCTAssertEqual(history.count, 6)
        XCTAssertEqual(Array(history[0..<2]), [1, 2.5])
        XCTAssertTrue(history[2].isNaN)
        XCTAssertEqual(Array(history[3...]), [2, 2.25, 2.4])
        let svg = LossPlot.svg(columns: columns, history: history)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains("validation"))
    }

    func testRefusesAFileWithoutAStepColumn() {
        XCTAssertThrowsError(try LossCurves.parse(csv: "a,b\n1,2\n", source: "x.csv")) { error in
            XCTAssertTrue("\(error)".contains("not a vrnn metrics file"), "\(error)")
        }
    }

    /// A long run's metrics cost the same as a short one's: a checkpoint keeps two rows, and the
    /// curves are drawn from a bounded, evenly spread set of rows that includes the newest.
    func testMetricsCostDoesNotGrowWithTheRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("metrics.csv").path
        let metrics = try MetricsFile(path: path)
        for step in 1...100_000 {
            var m = StepMetrics(step: step, loss: 1, reconstruction: 1, kl: 0, gradientNorm: 1, learningRate: 0.001, klWeight: 1)
            if step % 200 == 100 { m.validLoss = 2 }
            try metrics.append(m, charactersPerSecond: 1)
        }
        let width = MetricsFile.columns.count
        XCTAssertEqual(metrics.checkpointRows.count, 2 * width)
        XCTAssertEqual(metrics.checkpointRows[0], 99_900, "the newest row with a validation loss")
        XCTAssertEqual(metrics.checkpointRows[width], 100_000)
        let plotted = metrics.plottedRows
        XCTAssertLessThanOrEqual(plotted.count / width, 2_000)
        XCTAssertEqual(plotted[plotted.count - width], 100_000, "the newest row is drawn")
        let steps = stride(from: 0, to: plotted.count, by: width).map { plotted[$0] }
        XCTAssertEqual(steps, steps.sorted())
        XCTAssertLessThan(steps[1] - steps[0], 200, "rows are spread over the whole run")
        // A resume keeps the file's rows up to the checkpoint's step.
        let resumed = try MetricsFile(path: path, resumingAt: 40)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count, 41)
        XCTAssertEqual(resumed.checkpointRows.first, 40)
    }

    /// A resume continues the curve the checkpoint saved, so the run's curve and metrics.csv end
    /// as an uninterrupted run's; the file is cut after the checkpoint's step reading back from
    /// its end (rows before the cut are not read: a damaged one there stays as it is), and a last
    /// row cut off mid-write goes.
    func testAResumeContinuesTheSavedCurveAndCutsFromTheEnd() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-curve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func row(_ step: Int) -> StepMetrics {
            var m = StepMetrics(step: step, loss: Double(step % 7), reconstruction: 1, kl: 0, gradientNorm: 1, learningRate: 0.001, klWeight: 1)
            if step % 150 == 0 { m.validLoss = 2 }
            return m
        }
        let straightPath = folder.appendingPathComponent("straight.csv").path, resumedPath = folder.appendingPathComponent("resumed.csv").path
        let straight = try MetricsFile(path: straightPath)
        for step in 1...30_000 { try straight.append(row(step), charactersPerSecond: 1) }

        var first: MetricsFile? = try MetricsFile(path: resumedPath)
        for step in 1...17_003 { try first!.append(row(step), charactersPerSecond: 1) }
        let (rows, curve) = (first!.checkpointRows, first!.curve)
        for step in 17_004...17_040 { try first!.append(row(step), charactersPerSecond: 1) }   // redone after the resume
        first = nil
        var text = try String(contentsOfFile: resumedPath, encoding: .utf8)
        text += "17041,0.5"   // a row cut off by a crash
        let damaged = text.replacingOccurrences(of: "\n5,", with: "\n5;")   // early in the file: never read
        try damaged.write(toFile: resumedPath, atomically: true, encoding: .utf8)

        let resumed = try MetricsFile(path: resumedPath, resumingAt: 17_003, checkpointRows: rows, curve: curve)
        XCTAssertEqual(try String(contentsOfFile: resumedPath, encoding: .utf8).split(separator: "\n").last?.prefix(6), "17003,")
        for step in 17_004...30_000 { try resumed.append(row(step), charactersPerSecond: 1) }
        // Bit patterns, so that the empty cells' NaNs compare equal.
        XCTAssertTrue(resumed.plottedRows.map(\.bitPattern) == straight.plottedRows.map(\.bitPattern), "the curves differ")
        XCTAssertTrue(resumed.checkpointRows.map(\.bitPattern) == straight.checkpointRows.map(\.bitPattern), "the newest rows differ")
        XCTAssertEqual(try String(contentsOfFile: resumedPath, encoding: .utf8),
                       try String(contentsOfFile: straightPath, encoding: .utf8).replacingOccurrences(of: "\n5,", with: "\n5;"))
    }

    /// A metrics.csv that lost rows before the checkpoint's step (cut by hand, say) is resumed
    /// with the gap named, not silently.
    func testAResumeNamesRowsLostBeforeTheCheckpoint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-gap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("metrics.csv").path
        var first: MetricsFile? = try MetricsFile(path: path)
        for step in 1...20 {
            try first!.append(StepMetrics(step: step, loss: 1, reconstruction: 1, kl: 0, gradientNorm: 1, learningRate: 0.001, klWeight: 1),
                              charactersPerSecond: 1)
        }
        let (rows, curve) = (first!.checkpointRows, first!.curve)
        first = nil
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.prefix(16).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)   // steps 1-15
        let resumed = try MetricsFile(path: path, resumingAt: 20, checkpointRows: rows, curve: curve)
        XCTAssertEqual(resumed.missingSteps, 16...20)
    }
}
