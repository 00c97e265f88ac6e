import Foundation
import Storage
import XCTest

/// `vrnn inspect` on a checkpoint with one flipped bit in a tensor names the tensor as damaged
/// and exits non-zero (it had printed an empty statistics row and exited 0).
final class FaultDamagedTensorTests: CLITestCase {
    func testADamagedTensorIsReportedAndFails() throws {
        let run = path("run")
        let trained = try MPIRun.run(ranks: 1, ["train", "--text", try text(count: 6_000), "--run", run, "--preset", "tiny", "--steps", "2", "--quiet"])
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
        XCTAssertTrue(result.stdout.split(separator: "\n").contains { $0.hasPrefix(tensor) && $0.contains("DAMAGED") }, result.stdout)
        assertOneErrorLine(result, "1 tensor is damaged (\(tensor))", "inspect")
    }
}
