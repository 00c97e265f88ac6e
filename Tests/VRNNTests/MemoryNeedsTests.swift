import Kernels
@testable import VRNN
import XCTest

/// The memory a workspace needs is known before it is allocated (the commands refuse sizes that
/// cannot fit in one line): the estimate equals what the workspace then allocates.
final class MemoryNeedsTests: XCTestCase {
    func testTheEstimateIsWhatAWorkspaceAllocates() throws {
        // The test configurations, and a text model whose windows outgrow its vocabulary (token tables).
        let configs = TestConfigs.all.map(\.1)
            + [TestConfigs.make(input: .categorical, size: 20, head: .categorical, variant: .vrnn, cell: .gru, layers: 1, activation: .elu)]
        for config in configs {
            let model = try VRNNModel(config)
            for (batch, steps) in [(1, 1), (3, 4), (8, 40)] {
                for dropout in [false, true] {
                    let before = FloatBuffer.liveFloats
                    let workspace = WindowWorkspace(model: model, batch: batch, steps: steps)
                    if dropout { workspace.enableDropout(rate: 0.1) }
                    let allocated = FloatBuffer.liveFloats - before
                    withExtendedLifetime(workspace) {}
                    XCTAssertEqual(WindowWorkspace.floatsNeeded(model, batch: batch, steps: steps, dropout: dropout), Double(allocated),
                                   "\(config.head) \(config.cell) batch \(batch) steps \(steps) dropout \(dropout)")
                }
            }
        }
    }
}
