import Drawing
import Foundation
@testable import Runs
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
}
