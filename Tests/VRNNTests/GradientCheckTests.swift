import Kernels
import VRNN
import XCTest

/// Every parameter tensor's gradient, and the gradient with respect to the carried-in state,
/// against central finite differences of the Float loss, for every head, variant and cell.
final class GradientCheckTests: XCTestCase {
    /// The loss is computed in Float, so rounding noise (~1e-6 of the loss) divided by 2h limits how
    /// well small gradients (lower layers of deep stacks) can be resolved: with h = 2e-2 a correct
    /// gradient agrees to better than 1e-2 of each tensor's norm (measured worst: printed below),
    /// while a wrong sign or a missing term gives an error of order 0.1 to 1. The float64 PyTorch
    /// fixture (ReferenceFixtureTests) checks the same code to 1e-4.
    /// ReLU's kink makes a large step cross from one linear piece to the other, so ReLU models use
    /// a smaller one.
    static func step(_ config: ModelConfig) -> Float { config.activation == .relu ? 5e-3 : 2e-2 }
    static let tolerance = 1e-2

    /// ||analytic - numeric|| / max(||numeric||, tiny) over every entry of a tensor.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        var diff = 0.0, norm = 0.0
        for i in a.indices { diff += (a[i] - b[i]) * (a[i] - b[i]); norm += b[i] * b[i] }
        return diff.squareRoot() / max(norm.squareRoot(), 1e-6)
    }

    func check(_ name: String, _ config: ModelConfig) throws {
        let w = try RandomWindow(config, batch: 3, steps: 4, seed: 7, resetEvery: 5)
        let normaliser: Float = 12
        let grad = FloatBuffer(count: w.model.parameterCount)
        w.workspace.forward(parameters: w.parameters.pointer, normaliser: normaliser)
        w.workspace.backward(parameters: w.parameters.pointer, gradient: grad.pointer, normaliser: normaliser)
        XCTAssertGreaterThan(w.workspace.reset.filter { $0 != 0 }.count, 0, "the check must cover resets")

        /// Central difference (L(p + h) - L(p - h)) / 2h.
        func numeric(_ buffer: FloatBuffer, _ index: Int) -> Double {
            let saved = buffer[index]
            func central(_ h: Float) -> Double {
                buffer[index] = saved + h
                let plus = w.workspace.forward(parameters: w.parameters.pointer, normaliser: normaliser).loss
                buffer[index] = saved - h
                let minus = w.workspace.forward(parameters: w.parameters.pointer, normaliser: normaliser).loss
                buffer[index] = saved
                return (plus - minus) / Double((saved + h) - (saved - h))
            }
            return central(Self.step(config))
        }

        var worst = 0.0
        for entry in w.model.table.entries {
            let analytic = (0..<entry.count).map { Double(grad[entry.offset + $0]) }
            let fd = (0..<entry.count).map { numeric(w.parameters, entry.offset + $0) }
            let error = Self.relativeError(analytic, fd)
            worst = max(worst, error)
            XCTAssertLessThan(error, Self.tolerance, "\(name): \(entry.name) relative error \(error)")
            XCTAssertGreaterThan(fd.map(abs).max()!, 0, "\(name): \(entry.name) has no effect on the loss")
        }
        let dH = w.workspace.dInitialH.array.map(Double.init)
        let fdH = (0..<dH.count).map { numeric(w.workspace.initialH, $0) }
        let errorH = Self.relativeError(dH, fdH)
        XCTAssertLessThan(errorH, Self.tolerance, "\(name): d loss / d h0 relative error \(errorH)")
        worst = max(worst, errorH)
        if config.cell == .lstm {
            let dC = w.workspace.dInitialC.array.map(Double.init)
            let fdC = (0..<dC.count).map { numeric(w.workspace.initialC, $0) }
            let errorC = Self.relativeError(dC, fdC)
            XCTAssertLessThan(errorC, Self.tolerance, "\(name): d loss / d c0 relative error \(errorC)")
            worst = max(worst, errorC)
        }
        print("gradient check \(name): worst tensor relative error \(worst)")
    }

    func testEveryHeadVariantAndCell() throws {
        for (name, config) in TestConfigs.all { try check(name, config) }
    }

    /// A reset at (t, b) makes the loss independent of everything stream b carried before t.
    func testResetCutsTheCarriedState() throws {
        let config = TestConfigs.all[1].1
        let w = try RandomWindow(config, batch: 2, steps: 3, seed: 3)
        for b in 0..<2 { w.workspace.reset[b] = 1 }  // reset both streams at t = 0
        let grad = FloatBuffer(count: w.model.parameterCount)
        let before = w.workspace.forward(parameters: w.parameters.pointer, normaliser: 6).loss
        w.workspace.backward(parameters: w.parameters.pointer, gradient: grad.pointer, normaliser: 6)
        XCTAssertEqual(w.workspace.dInitialH.array.map(abs).max(), 0)
        XCTAssertEqual(w.workspace.dInitialC.array.map(abs).max(), 0)
        for i in 0..<w.workspace.initialH.count { w.workspace.initialH[i] += 1 }
        XCTAssertEqual(w.workspace.forward(parameters: w.parameters.pointer, normaliser: 6).loss, before)
    }
}
