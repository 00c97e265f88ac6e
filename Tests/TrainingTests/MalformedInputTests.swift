import Foundation
import XCTest

/// Sizes and names read from flags and files are checked before they are used: each case is one
/// `vrnn: error:` line and a non-zero exit, never a trap.
final class MalformedInputTests: CLITestCase {
    func testMalformedSizesAndNamesGetOneLine() throws {
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
        for (arguments, message) in cases { assertOneErrorLine(try MPIRun.run(ranks: 1, arguments, timeout: 60), message, "\(arguments)") }
    }


    /// Smaller refusals: a validation fraction that leaves no training text, a resumed run whose
    /// data moved (named, with the flag that fixes it), and metadata that stays valid JSON
    /// whatever the file's name.
    func testNoTrainingDataMovedDataAndOddFileNames() throws {
        let short = path("short.txt")
        try String(repeating: "ab", count: 25).write(toFile: short, atomically: true, encoding: .utf8)
        assertOneErrorLine(try MPIRun.run(ranks: 1, ["prepare", "text", short, "--valid-fraction", "0.999", "--out", path("short.h5")]),
                           "leaves no training text", "0 training characters")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("short.h5")))

        let odd = path("we\"ird\\name.txt")
        try FileManager.default.moveItem(atPath: try text(count: 6_000), toPath: odd)
        let data = path("data.h5"), run = path("run")
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", odd, "--out", data]).status, 0)
        let inspected = try MPIRun.run(ranks: 1, ["inspect", data]).stdout
        XCTAssertTrue(inspected.contains(#""source":"we\"ird\\name.txt""#), inspected)

        XCTAssertEqual(try MPIRun.run(ranks: 1, ["train", "--data", data, "--run", run, "--preset", "tiny", "--steps", "2", "--quiet"]).status, 0)
        try FileManager.default.moveItem(atPath: data, toPath: path("moved.h5"))
        assertOneErrorLine(try MPIRun.run(ranks: 1, ["train", "--resume", run, "--steps", "4"]), "is not there (moved or deleted?); give it with --data",
                           "moved data")
        let resumed = try MPIRun.run(ranks: 1, ["train", "--resume", run, "--steps", "4", "--data", path("moved.h5"), "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    /// Messages to a stream that cannot take them (/dev/full: a full disk behind a redirect) are
    /// lost, and the process still exits with its own status instead of trapping in the write.
    func testAFullStandardStreamDoesNotCrash() throws {
        func exit(_ arguments: [String], stdout: String, stderr: String) throws -> (Process.TerminationReason, Int32) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: MPIRun.vrnn)
            process.arguments = arguments
            process.standardOutput = FileHandle(forWritingAtPath: stdout)
            process.standardError = FileHandle(forWritingAtPath: stderr)
            try process.run()
            process.waitUntilExit()
            return (process.terminationReason, process.terminationStatus)
        }
        let refused = try exit(["inspect", path("missing.h5")], stdout: "/dev/null", stderr: "/dev/full")
        XCTAssertEqual(refused.0, .exit, "an error line to a full stderr must not crash vrnn")
        XCTAssertEqual(refused.1, 1)
        let help = try exit(["--help"], stdout: "/dev/full", stderr: "/dev/null")
        XCTAssertEqual(help.0, .exit, "help to a full stdout must not crash vrnn")
        XCTAssertEqual(help.1, 0)
    }
}
