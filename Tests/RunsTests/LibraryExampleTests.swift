import Foundation
import XCTest

/// docs/LIBRARY.md's example is the code of LibraryExample.swift, which this target compiles;
/// here it also runs.
final class LibraryExampleTests: RunsTestCase {
    func testTheDocumentedExampleIsTheCompiledOne() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/LIBRARY.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("LibraryExample.swift"), encoding: .utf8)
        let blocks = page.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertTrue(blocks.contains(source), "docs/LIBRARY.md must show Tests/RunsTests/LibraryExample.swift verbatim")
        XCTAssertLessThanOrEqual(source.split(separator: "\n").count, 20)
    }

    func testTheExampleTrainsChecksPointsAndSamples() throws {
        let text = try makeText(count: 6_000)
        let run = folder.appendingPathComponent("run").path
        let sample = try trainAndSample(textFile: text, folder: run)
        XCTAssertTrue(sample.hasPrefix("The "), sample)
        XCTAssertEqual(sample.utf8.count, 4 + 200)
        let files = try FileManager.default.contentsOfDirectory(atPath: run)
        XCTAssertTrue(files.contains("checkpoint-00000020.h5") && files.contains("checkpoint-00000040.h5"), "\(files)")
        XCTAssertEqual(try String(contentsOfFile: run + "/latest", encoding: .utf8), "checkpoint-00000040.h5\n")
        let metrics = try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 41)   // header + 40 steps
    }
}
