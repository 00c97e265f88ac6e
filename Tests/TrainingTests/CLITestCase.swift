import Foundation
import XCTest

/// What the tests that drive the built `vrnn` share: a skip when it is not built, a temporary
/// folder per test, a training text in it, and the check that a refusal is one error line.
class CLITestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else { throw XCTSkip("\(MPIRun.vrnn) is not built") }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { if let folder { try? FileManager.default.removeItem(at: folder) } }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `count` characters of repeated words (no '?', no capitals but 'A'), in the test's folder.
    func text(count: Int) throws -> String {
        let source = try MPIRun.text(count: count)
        defer { try? FileManager.default.removeItem(at: source) }
        let target = path("text-\(count).txt")
        try FileManager.default.copyItem(atPath: source.path, toPath: target)
        return target
    }
}

extension XCTestCase {
    /// The command failed (no hang) with exactly one `vrnn: error:` line, which contains `message`.
    func assertOneErrorLine(_ result: MPIRun.Result, _ message: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.timedOut, "\(what) hung", file: file, line: line)
        XCTAssertNotEqual(result.status, 0, "\(what) must fail", file: file, line: line)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
        XCTAssertEqual(lines.count, 1, "\(what):\n\(result.stderr)", file: file, line: line)
        XCTAssertTrue(lines.first?.contains(message) ?? false, "\(what): expected \(message) in:\n\(result.stderr)", file: file, line: line)
    }
}
