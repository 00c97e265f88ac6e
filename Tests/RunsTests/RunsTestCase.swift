import Foundation
import XCTest

/// A temporary folder per test, and a deterministic text to train on.
class RunsTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-runs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// `count` characters of repeated words, written into the test's folder.
    func makeText(count: Int) throws -> String {
        let words = ["the ", "quick ", "brown ", "fox ", "jumps ", "over ", "a ", "lazy ", "dog. ", "And ", "then\n"]
        var s = "", i = 0
        while s.count < count { s += words[(i * 7 + i / 3) % words.count]; i += 1 }
        let path = folder.appendingPathComponent("text.txt").path
        try s.prefix(count).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
