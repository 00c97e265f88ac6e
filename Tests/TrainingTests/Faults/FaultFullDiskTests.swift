import Foundation
import XCTest

/// A disk that fills up during a run or an export: one `vrnn: error: … No space left on device`
/// line, a non-zero exit on every rank, no temporary file left, and `latest` still naming a
/// loadable checkpoint. Needs root to mount a small tmpfs (skipped otherwise, saying why).
final class FaultFullDiskTests: CLITestCase {
    var mounted: [String] = []

    /// A fresh tmpfs of `size` (e.g. "256k") mounted on a new folder.
    func smallDisk(_ size: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-disk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", folder]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw XCTSkip("cannot mount a tmpfs here (needs root and mount rights)") }
        mounted.append(folder)
        return folder
    }

    override func tearDown() {
        super.tearDown()
        for folder in mounted {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [folder]
            try? umount.run()
            umount.waitUntilExit()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    func assertOneNoSpaceLine(_ result: MPIRun.Result, _ what: String) {
        assertOneErrorLine(result, "No space left on device", what)
        XCTAssertFalse(result.stderr.contains("Signal") || result.stderr.contains("crashed"), "\(what) crashed:\n\(result.stderr)")
    }

    func testAFullDiskEndsTheRunCleanlyAndKeepsTheLastCheckpoint() throws {
        let disk = try smallDisk("600k")
        let run = disk + "/run"
        // Checkpoints every step until the disk is full.
        let result = try MPIRun.run(ranks: 2, ["train", "--text", try text(count: 6_000), "--run", run, "--preset", "tiny", "--steps", "200",
                                               "--checkpoint-every", "1", "--keep-checkpoints", "200", "--quiet"], timeout: 120)
        assertOneNoSpaceLine(result, "checkpoints")
        let files = try FileManager.default.contentsOfDirectory(atPath: run)
        XCTAssertFalse(files.contains { $0.contains(".tmp-") }, "temporary files left: \(files)")
        XCTAssertGreaterThan(files.filter { $0.hasPrefix("checkpoint-") }.count, 0)
        let latest = try MPIRun.run(ranks: 1, ["inspect", run])
        XCTAssertEqual(latest.status, 0, "latest must name a loadable checkpoint:\n\(latest.stderr)")
        // An export into the full disk: refused the same way, nothing left behind.
        let export = try MPIRun.run(ranks: 1, ["export", "--checkpoint", run, "--out", disk + "/weights.h5"])
        assertOneNoSpaceLine(export, "export")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: disk).contains { $0.hasPrefix("weights.h5") })
    }

    func testAFullDiskWhileAppendingMetricsEndsTheRunCleanly() throws {
        let disk = try smallDisk("16k")
        let run = disk + "/run"
        let result = try MPIRun.run(ranks: 2, ["train", "--text", try text(count: 6_000), "--run", run, "--preset", "tiny", "--steps", "100000",
                                               "--checkpoint-every", "100000", "--quiet"], timeout: 300)
        assertOneNoSpaceLine(result, "metrics")
        XCTAssertTrue(result.stderr.contains("metrics.csv"), result.stderr)
    }

    /// `prepare` writes a large dataset straight to disk (HDF5 writing as it goes); a disk that
    /// fills at any point is one line, with nothing left behind, at several fill levels.
    func testAFullDiskWhilePreparingADatasetIsOneLine() throws {
        // 1 MB of pseudo-random letters, which compress to about 0.6 MB.
        var state: UInt64 = 1
        let big = Data((0..<1_000_000).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(97 + (state >> 33) % 26)
        })
        try big.write(to: URL(fileURLWithPath: path("big.txt")))
        for size in ["8k", "64k", "200k", "300k"] {
            let disk = try smallDisk(size)
            let result = try MPIRun.run(ranks: 1, ["prepare", "text", path("big.txt"), "--out", disk + "/big.h5"], timeout: 120)
            assertOneNoSpaceLine(result, "prepare on a \(size) disk")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: disk), [], "left on the \(size) disk")
        }
    }
}
