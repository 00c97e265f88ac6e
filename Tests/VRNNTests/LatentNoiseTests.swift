import Kernels
@testable import VRNN
import XCTest

final class LatentNoiseTests: XCTestCase {
    /// Row t * B + b of a window's noise is stream `firstStream + b`'s normals under counter
    /// (step, t, latent): a stream's whole window comes from one call, and must equal the rows
    /// drawn one by one (ARCHITECTURE §3: the numbers do not depend on how ranks share streams).
    func testEachRowIsItsStreamsNormalsForItsTimeStep() throws {
        let config = TestConfigs.make(head: .gaussian, variant: .vrnn, cell: .gru, layers: 1, activation: .elu)
        let model = try VRNNModel(config)
        let batch = 3, steps = 7, z = config.latent, seed: UInt64 = 5, step = 11, firstStream = 4
        let workspace = WindowWorkspace(model: model, batch: batch, steps: steps)
        workspace.fillLatentNoise(seed: seed, step: step, firstStream: firstStream)
        for t in 0..<steps {
            for b in 0..<batch {
                let row = FloatBuffer(count: z)
                CounterRandom(seed: seed, stream: UInt64(firstStream + b))
                    .fillNormalVectorised(row.pointer, count: z, step: UInt32(step), t: UInt32(t), purpose: NoisePurpose.latent.rawValue)
                let got = (0..<z).map { workspace.noise[(t * batch + b) * z + $0] }
                XCTAssertEqual(got, row.array, "t \(t), stream \(firstStream + b)")
            }
        }
    }
}
