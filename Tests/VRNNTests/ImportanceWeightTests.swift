import Kernels
import VRNN
import XCTest

/// The importance weight's latent part, log p(z) - log q(z), checked against the analytic KL:
/// E_q[log q(z) - log p(z)] = KL(q || p). The window repeats one input over many streams from one
/// state, so every stream has the same q and p and its own eps.
final class ImportanceWeightTests: XCTestCase {
    func testLatentLogRatioAveragesToMinusTheKL() throws {
        for (name, config) in TestConfigs.all where config.hasLatent {
            let streams = 4000
            let w = try RandomWindow(config, batch: streams, steps: 1, seed: 5)
            for b in 1..<streams {
                if config.input == .categorical { w.workspace.tokens[b] = w.workspace.tokens[0] } else {
                    (w.workspace.frames.pointer + b * config.inputSize).update(from: w.workspace.frames.pointer, count: config.inputSize)
                }
                for l in 0..<config.layers {
                    let h = config.hidden, base = w.workspace.initialH.pointer + l * streams * h
                    (base + b * h).update(from: base, count: h)
                    if config.cell == .lstm {
                        let c = w.workspace.initialC.pointer + l * streams * h
                        (c + b * h).update(from: c, count: h)
                    }
                }
            }
            w.workspace.forward(parameters: w.parameters.pointer, normaliser: 1)
            let ratios = (0..<streams).map { -w.workspace.latentLogRatio(row: $0) }
            let mean = ratios.reduce(0, +) / Double(streams)
            let variance = ratios.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(streams - 1)
            let kl = Double(w.workspace.rowKL[0])
            XCTAssertEqual(Double(w.workspace.rowKL[streams - 1]), kl, accuracy: 1e-5 * max(kl, 1), "\(name): streams must share q and p")
            XCTAssertEqual(mean, kl, accuracy: 4 * (variance / Double(streams)).squareRoot() + 1e-6, "\(name)")
        }
    }
}
