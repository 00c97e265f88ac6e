import Foundation
import XCTest

/// Sizes and names read from flags and files are checked before they are used: each case is one
/// `vrnn: error:` line and a non-zero exit, never a trap.
final class MalformedInputTests: XCTestCase {
    func testMalformedSizesAndNamesGetOneLine() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else { throw XCTSkip("\(MPIRun.vrnn) is not built") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-malformed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("a.csv").path
        try "x,y\n1,2\n3,4\n5,6\n".write(toFile: csv, atomically: true, encoding: .utf8)
        // An .npy whose header claims a shape whose element count overflows.
        var npy = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (9999999999999, 9999999999999), }"
        while (10 + header.count + 1) % 64 != 0 { header += " " }
        npy += Data([UInt8(header.count + 1), 0]) + Data((header + "\n").utf8) + Data(count: 16)
        let npyPath = folder.appendingPathComponent("big.npy").path
        try npy.write(to: URL(fileURLWithPath: npyPath))
        let cases: [([String], String)] = [
            (["prepare", "csv", csv, "--columns", "", "--out", folder.appendingPathComponent("c1.h5").path], "--columns names an empty column"),
            (["prepare", "csv", csv, "--columns", ",", "--out", folder.appendingPathComponent("c2.h5").path], "--columns names an empty column"),
            (["prepare", "npy", npyPath, "--out", folder.appendingPathComponent("n.h5").path], "is too large to be a real array"),
        ]
        for (arguments, message) in cases {
            let result = try MPIRun.run(ranks: 1, arguments, timeout: 60)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
            XCTAssertEqual(lines.count, 1, "\(arguments):\n\(result.stderr)")
            XCTAssertTrue(lines.first?.contains(message) ?? false, "\(arguments):\n\(result.stderr)")
        }
    }
}
