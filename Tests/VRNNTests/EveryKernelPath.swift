import Kernels
import XCTest

extension XCTestCase {
    /// Runs `body` once on every kernel path this CPU supports (AVX-512, AVX2, portable), then
    /// gives the process back its best path. The log says which path each run's lines are from.
    func onEveryKernelPath(_ body: (KernelPath) throws -> Void) rethrows {
        defer { KernelPath.select(.best) }
        for path in KernelPath.supported {
            XCTAssertTrue(KernelPath.select(path))
            print("kernel path \(path.name)")
            try body(path)
        }
    }
}
