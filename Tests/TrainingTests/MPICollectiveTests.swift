import Cluster
import Kernels
import XCTest

/// The MPI Collective in singleton mode (one rank, no mpirun): sums are the identity and repeated
/// construction reuses the one initialisation.
final class MPICollectiveTests: XCTestCase {
    func testSingletonAllreduceKeepsValues() {
        let world = MPICollective()
        XCTAssertEqual(world.rank, 0)
        XCTAssertEqual(world.size, 1)
        let buffer = FloatBuffer([1, -2, 3.5])
        world.allreduceSum(buffer)
        XCTAssertEqual(buffer.array, [1, -2, 3.5])
        XCTAssertEqual(MPICollective().allreduceSum([0.25, 4]), [0.25, 4])
    }
}
