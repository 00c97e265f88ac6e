import Foundation
import XCTest

/// `vrnn plot` (and so every checkpoint's losses.svg) draws whatever a diverging run records:
/// ±1e308, infinities, NaN and flat series at 1e17, in bounded time.
final class PlotRobustnessTests: CLITestCase {
    func testExtremeAndFlatSeriesAreDrawn() throws {
        let rows = [
            "step,loss,reconstruction,kl,grad_norm,lr,char_steps_per_s,kl_weight,valid_loss,skipped",
            "1,1e308,1e17,0.5,1,0.001,100,1,,0",
            "2,-1e308,1e17,inf,1,0.001,100,1,nan,0",
            "3,1e308,1e17,-inf,1,0.001,100,1,1e308,1",
            "4,2.5,1e17,0.5,1,0.001,100,1,,0",
        ]
        let metrics = folder.appendingPathComponent("metrics.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: metrics, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("extreme.svg").path
        let result = try MPIRun.run(ranks: 1, ["plot", metrics.path, "--out", out], timeout: 30)
        XCTAssertFalse(result.timedOut, "plot hung")
        XCTAssertEqual(result.status, 0, result.stderr)
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("polyline"), svg)
        XCTAssertFalse(svg.contains("nan") || svg.contains("inf"), "coordinates must be finite")
    }
}
