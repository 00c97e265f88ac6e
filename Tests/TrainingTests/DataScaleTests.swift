import Foundation
import XCTest

/// Training reads its windows from the dataset file, so a rank's memory does not grow with the
/// data (a rank used to hold every token, as Int32, and hash them all at start).
final class DataScaleTests: CLITestCase {
    /// `vrnn train`'s "peak memory N MB per rank" figure.
    func peakMemory(_ output: String) throws -> Double {
        let line = try XCTUnwrap(output.split(separator: "\n").first { $0.hasPrefix("vrnn: peak memory ") }, output)
        return try XCTUnwrap(Double(line.split(separator: " ")[3]))
    }

    func testARanksMemoryDoesNotGrowWithTheDataset() throws {
        // 16.8 MB of text (67 MB as Int32 tokens) beside 6 kB; both on 2 ranks with the same model.
        let block = try Data(contentsOf: URL(fileURLWithPath: try text(count: 4_096)))
        var big = Data(capacity: 4_096 * block.count)
        for _ in 0..<4_096 { big.append(block) }
        try big.write(to: URL(fileURLWithPath: path("big.txt")))
        var peaks: [Double] = []
        for (name, source) in [("small", try text(count: 6_000)), ("big", path("big.txt"))] {
            let prepared = try MPIRun.run(ranks: 1, ["prepare", "text", source, "--out", path("\(name).h5")], timeout: 300)
            XCTAssertEqual(prepared.status, 0, prepared.stderr)
            let trained = try MPIRun.run(ranks: 2, ["train", "--data", path("\(name).h5"), "--run", path("\(name)-run"), "--preset", "tiny",
                                                    "--steps", "2"], timeout: 300)
            XCTAssertEqual(trained.status, 0, trained.stderr)
            peaks.append(try peakMemory(trained.stdout))
        }
        XCTAssertLessThan(peaks[1] - peaks[0], 8, "a rank's peak memory grew from \(peaks[0]) MB to \(peaks[1]) MB with 16.8 MB more data")
    }
}
