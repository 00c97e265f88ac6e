import Foundation
import Kernels
@testable import VRNN
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
    /// The finite-difference step. The Float loss's rounding makes an error that falls as 1/h:
    /// the deep residual LSTM's rnn.weight_hh_l0 measured 0.091, 0.020, 0.0075 at h = 3e-3, 1e-2,
    /// 3e-2 (the standard one 0.028, 0.0099, 0.0031), so the residual posterior takes 3e-2.
    static func step(_ config: ModelConfig) -> Float { config.activation == .relu ? 5e-3 : config.residualPosterior ? 3e-2 : 2e-2 }
    static let tolerance = 1e-2

    /// ||analytic - numeric|| / max(||numeric||, tiny) over every entry of a tensor.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        var diff = 0.0, norm = 0.0
        for i in a.indices { diff += (a[i] - b[i]) * (a[i] - b[i]); norm += b[i] * b[i] }
        return diff.squareRoot() / max(norm.squareRoot(), 1e-6)
    }

    /// `tokenTables: false` runs text input's phi_x and x-blocks over every row instead of per token.
    /// `prepare` changes the window before the check (dropout with its masks fed in).
    func check(_ name: String, _ config: ModelConfig, kl: KLTerm = .plain, step: Float? = nil, tokenTables: Bool = true,
               prepare: ((WindowWorkspace) -> Void)? = nil) throws {
        let w = try RandomWindow(config, batch: 3, steps: 4, seed: 7, resetEvery: 5)
        XCTAssertEqual(w.workspace.tokenTables != nil, config.input == .categorical, "12 rows are more than the test vocabularies")
        if !tokenTables { w.workspace.tokenTables = nil }
        prepare?(w.workspace)
        let normaliser: Float = 12
        let grad = FloatBuffer(count: w.model.parameterCount)
        w.workspace.forward(parameters: w.parameters.pointer, normaliser: normaliser, kl: kl)
        w.workspace.backward(parameters: w.parameters.pointer, gradient: grad.pointer, normaliser: normaliser, kl: kl)
        XCTAssertGreaterThan(w.workspace.reset.filter { $0 != 0 }.count, 0, "the check must cover resets")

        /// Central difference (L(p + h) - L(p - h)) / 2h.
        func numeric(_ buffer: FloatBuffer, _ index: Int) -> Double {
            let saved = buffer[index]
            func central(_ h: Float) -> Double {
                buffer[index] = saved + h
                let plus = w.workspace.forward(parameters: w.parameters.pointer, normaliser: normaliser, kl: kl).loss
                buffer[index] = saved - h
                let minus = w.workspace.forward(parameters: w.parameters.pointer, normaliser: normaliser, kl: kl).loss
                buffer[index] = saved
                return (plus - minus) / Double((saved + h) - (saved - h))
            }
            return central(step ?? Self.step(config))
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
        try onEveryKernelPath { path in
            for (name, config) in TestConfigs.all {
                try check("\(name) [\(path.name)]", config)
                if config.input == .categorical { try check("\(name) per row [\(path.name)]", config, tokenTables: false) }
            }
        }
    }

    /// Dropout at every site (phi_x, phi_z, the decoder's hidden layers, the RNN's output as read),
    /// with fixed masks fed in: the gradient is the masked network's. The ReLU configuration is
    /// left out: its masked pre-activations sit near ReLU's kink, where finite differences fail
    /// (prior.0.weight measured 0.087, 0.079, 0.067, 0.019 at steps 2e-2, 5e-3, 2e-3, 5e-4,
    /// falling with the step as kinks are crossed less; 0.0007 with all-one masks).
    func testDropoutWithMasksFedIn() throws {
        try onEveryKernelPath { path in
            for (name, config) in TestConfigs.all where config.activation != .relu {
                try check("\(name) dropout [\(path.name)]", config) { workspace in
                    workspace.enableDropout(rate: 0.3)
                    var state: UInt64 = 12345
                    for site in workspace.dropout!.sites {
                        for i in 0..<site.mask.count {
                            state = state &* 6364136223846793005 &+ 1442695040888963407
                            site.mask[i] = (state >> 33) % 10 < 3 ? 0 : 1 / 0.7
                        }
                    }
                    XCTAssertNil(workspace.tokenTables, "a per-row mask needs phi_x per row")
                }
            }
        }
    }

    /// The KL weight (warm-up, beta and the adaptive weight all set it) and free bits. Free bits
    /// have a kink at KL_j = free nats, like ReLU: the free nats are put in the middle of the
    /// widest gap between the per-dimension KL values of the window (away from the extremes),
    /// so that some dimensions sit below the floor (no gradient), some above, and no finite
    /// difference step crosses the kink (a narrow gap takes the smaller step).
    func testKLWeightAndFreeBits() throws {
        try onEveryKernelPath { path in try checkKLWeightAndFreeBits(path) }
    }

    func checkKLWeightAndFreeBits(_ path: KernelPath) throws {
        for (name, config) in TestConfigs.all where config.hasLatent {
            let w = try RandomWindow(config, batch: 3, steps: 4, seed: 7, resetEvery: 5)
            let plain = w.workspace.forward(parameters: w.parameters.pointer, normaliser: 1)
            let values = perDimensionKL(w.workspace).sorted()
            XCTAssertEqual(values.reduce(0, +), plain.kl, accuracy: 1e-4 * plain.kl)
            let middle = values.count / 8..<(7 * values.count / 8)
            let widest = middle.max { values[$0 + 1] - values[$0] < values[$1 + 1] - values[$1] }!
            let free = Float((values[widest] + values[widest + 1]) / 2)
            let term = KLTerm(weight: 0.3, freeNats: free)
            let floored = w.workspace.forward(parameters: w.parameters.pointer, normaliser: 1, kl: term)
            let below = values.filter { $0 < Double(free) }
            XCTAssertEqual(floored.klPenalty, Double(below.count) * Double(free) + values.filter { $0 >= Double(free) }.reduce(0, +),
                           accuracy: 1e-4 * floored.klPenalty)
            XCTAssertEqual(floored.loss, floored.reconstruction + 0.3 * floored.klPenalty, accuracy: 1e-6 * abs(floored.loss))
            let gap = values[widest + 1] - values[widest]
            try check(name + " [\(path.name)] beta 0.3, free nats \(free) (gap \(gap))", config, kl: term, step: gap < 0.05 ? 5e-3 : nil)
        }
    }

    /// KL_j of every row and latent dimension of the last forward pass, from q's mean and sigma
    /// as the pass made them (directly, or relative to the prior for the residual posterior): the
    /// mean from the sample, mu_q = z - sigma_q eps.
    func perDimensionKL(_ w: WindowWorkspace) -> [Double] {
        let zw = w.model.config.latent, floor = w.model.config.sigmaMin
        return (0..<w.rows).flatMap { r -> [Double] in
            let zs = w.z.pointer + r * zw, eps = w.noise.pointer + r * zw, sqs = w.sigmaQ.pointer + r * zw
            let p = w.prior.map { $0.output + r * 2 * zw }
            return (0..<zw).map { j in
                // KL_j = log sp - log sq + (sq^2 + (mq - mp)^2) / (2 sp^2) - 1/2, in Double.
                let sq = Double(sqs[j]), mq = Double(zs[j]) - sq * Double(eps[j])
                let sp = p.map { Double(DiagonalGaussian.sigma($0[zw + j], floor: floor)) } ?? 1
                let diff = mq - Double(p?[j] ?? 0)
                return log(sp) - log(sq) + (sq * sq + diff * diff) / (2 * sp * sp) - 0.5
            }
        }
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
