import Foundation
import Storage
import XCTest

/// `vrnn inspect` on a checkpoint with one flipped bit in a tensor names the tensor as damaged
/// and exits non-zero (it had printed an empty statistics row and exited 0).
final class InspectDamageTests: XCTestCase {
    func testADamagedTensorIsReportedAndFails() throws {
        guard FileManager.default.isExecutableFile(atPath: MPIRun.vrnn) else { throw XCTSkip("\(MPIRun.vrnn) is not built") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vrnn-inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try MPIRun.text(count: 6_000)
        defer { try? FileManager.default.removeItem(at: text) }
        let run = folder.appendingPathComponent("run").path
        let trained = try MPIRun.run(ranks: 1, ["train", "--text", text.path, "--run", run, "--preset", "tiny", "--steps", "2", "--quiet"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let checkpoint = run + "/checkpoint-00000002.h5"
        // The raw bytes of a small (uncompressed) tensor, found in the file and one bit flipped.
        let tensor = "params/phi_x.0.bias"
        let values = try HDF5File(readingAt: checkpoint).readFloats(tensor).values
        var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        let pattern = values.withUnsafeBytes { Data($0) }
        let at = try XCTUnwrap(bytes.range(of: pattern)).lowerBound + pattern.count / 2
        bytes[at] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: checkpoint))

        let result = try MPIRun.run(ranks: 1, ["inspect", checkpoint], timeout: 60)
        XCTAssertNotEqual(result.status, 0, result.stdout)
        XCTAssertTrue(result.stdout.split(separator: "\n").contains { $0.hasPrefix(tensor) && $0.contains("DAMAGED") }, result.stdout)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("vrnn: error:") }
        XCTAssertEqual(errors.count, 1, result.stderr)
        XCTAssertTrue(errors.first?.contains("1 tensor is damaged (\(tensor))") ?? false, result.stderr)
    }
}
