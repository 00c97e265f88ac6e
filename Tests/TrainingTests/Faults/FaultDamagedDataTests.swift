import CHDF5
import Foundation
import XCTest

/// Fault-injection suite: a damaged chunk of a dataset's /data that start-up never reads (the
/// windows are read as training reaches them).
final class FaultDamagedDataTests: CLITestCase {
    /// One byte in the middle of the stored chunk holding `row` of /data, flipped.
    func damageChunk(holding row: Int, of path: String) throws {
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
        let file = H5Fopen(path, chdf5_acc_rdonly(), hid_t(H5P_DEFAULT))
        XCTAssertGreaterThanOrEqual(file, 0)
        let dataset = H5Dopen2(file, "data", hid_t(H5P_DEFAULT))
        var coordinate: [hsize_t] = [hsize_t(row / 65_536 * 65_536)], mask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
        XCTAssertGreaterThanOrEqual(H5Dget_chunk_info_by_coord(dataset, &coordinate, &mask, &address, &size), 0)
        H5Dclose(dataset)
        H5Fclose(file)
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(address) + size / 2)
        let byte = try XCTUnwrap(handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: UInt64(address) + size / 2)
        try handle.write(contentsOf: Data([byte ^ 0x10]))
        try handle.close()
    }

    /// Training stops when a window reaches the damaged chunk: one line from the rank that read
    /// it, naming the file, every rank ends, and nothing of that step is applied.
    func testADamagedChunkReachedMidTrainingStopsEveryRankWithOneLine() throws {
        let block = try Data(contentsOf: URL(fileURLWithPath: try text(count: 5_000)))
        var big = Data()
        for _ in 0..<120 { big.append(block) }   // 600,000 characters: 540,000 for training, in 9 chunks
        try big.write(to: URL(fileURLWithPath: path("big.txt")))
        let data = path("big.h5")
        XCTAssertEqual(try MPIRun.run(ranks: 1, ["prepare", "text", path("big.txt"), "--out", data]).status, 0)
        // Stream 6 of 8 starts at row 6 * 540,000 / 8 = 405,000; rank 1 reads it at the first step.
        try damageChunk(holding: 405_000, of: data)
        let result = try MPIRun.run(ranks: 2, ["train", "--data", data, "--run", path("run"), "--preset", "tiny", "--steps", "3"], timeout: 120)
        assertOneErrorLine(result, "big.h5: cannot read rows", "training over a damaged chunk")
        XCTAssertTrue(result.stderr.contains("the file is damaged"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("run") + "/latest"), "no checkpoint from a step over damaged data")
        assertOneErrorLine(try MPIRun.run(ranks: 1, ["inspect", data]), "the file is damaged", "inspect of the damaged dataset")
    }
}
