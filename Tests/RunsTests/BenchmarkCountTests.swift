import Runs
import Training
import VRNN
import XCTest

/// The FLOP count behind vrnn bench's GFLOP/s, against a hand count of each preset's matrices.
final class BenchmarkCountTests: XCTestCase {
    func testEveryWeightMatrixButTheEmbeddingIsCounted() throws {
        // seed-char: E 64, features 64, Z 64, H 64, V 128; [out, in] entries of every matrix:
        //   phi_x 64x64, phi_z 64x64, prior 64x64 + 128x64, encoder 64x128 + 128x64,
        //   decoder 64x128 + 128x64, rnn.weight_ih 192x128, rnn.weight_hh 192x64.
        let seedChar = 64 * 64 + 64 * 64 + (64 * 64 + 128 * 64) + (64 * 128 + 128 * 64) + (64 * 128 + 128 * 64) + 192 * 128 + 192 * 64
        XCTAssertEqual(seedChar, 90_112)
        XCTAssertEqual(Benchmark.flopsPerCharStep(try VRNNModel(Preset.seedChar.model)), 6 * Double(seedChar))
        // large: E 64, features 256, Z 128, H 512, V 128:
        //   phi_x 256x64, phi_z 256x128, prior 256x512 + 256x256, encoder 256x768 + 256x256,
        //   decoder 256x768 + 128x256, rnn.weight_ih 1536x512, rnn.weight_hh 1536x512.
        let large = 256 * 64 + 256 * 128 + (256 * 512 + 256 * 256) + (256 * 768 + 256 * 256) + (256 * 768 + 128 * 256)
            + 1536 * 512 + 1536 * 512
        XCTAssertEqual(large, 2_310_144)
        XCTAssertEqual(Benchmark.flopsPerCharStep(try VRNNModel(Preset.large.model)), 6 * Double(large))
    }
}
