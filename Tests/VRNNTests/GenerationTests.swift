import Foundation
import Kernels
@testable import VRNN
import XCTest

/// Generation (ancestral sampling) runs the same recurrence as training, and draws from the
/// distributions the heads define.
final class GenerationTests: XCTestCase {
    /// For every head, variant and cell: after one generated step, feeding the sampled x and z
    /// through the training forward pass (z forced by choosing eps) gives the same new state.
    func testGeneratedStepFollowsTheTrainingRecurrence() throws {
        for (name, config) in TestConfigs.all {
            let source = try RandomWindow(config, batch: 3, steps: 1, seed: 11)
            let generator = WindowWorkspace(model: source.model, batch: 3, steps: 1)
            generator.initialH.copy(from: source.workspace.initialH)
            generator.initialC.copy(from: source.workspace.initialC)
            let p = UnsafePointer(source.parameters.pointer)
            generator.generateStep(parameters: p, seed: 5, t: 0, temperature: 1)

            let replay = source.workspace  // same initial state; x and z from the generator
            replay.tokens = generator.tokens
            replay.frames.copy(from: generator.frames)
            replay.reset = [0, 0, 0]
            if config.hasLatent {
                replay.noise.zero()
                replay.forward(parameters: p, normaliser: 1)   // with no noise z = mu_q: read mu_q and sigma_q
                let zw = config.latent, mu = replay.z, sigma = replay.sigmaQ
                for i in 0..<3 * zw { replay.noise[i] = (generator.z[i] - mu[i]) / sigma[i] }
            }
            replay.forward(parameters: p, normaliser: 1)
            let expected = replay.finalState()
            for (i, value) in expected.h.enumerated() { XCTAssertEqual(generator.initialH[i], value, accuracy: 2e-5, "\(name) h[\(i)]") }
            for (i, value) in expected.c.enumerated() { XCTAssertEqual(generator.initialC[i], value, accuracy: 2e-5, "\(name) c[\(i)]") }
        }
    }

    /// With the RNN baseline from a zero state every stream sees the same logits, so the sampled
    /// tokens' frequencies must match softmax(logits / T).
    func testCategoricalSamplesFollowTheTemperedSoftmax() throws {
        let config = TestConfigs.make(input: .categorical, size: 5, head: .categorical, variant: .rnn, cell: .gru, layers: 1, activation: .tanh)
        let model = try VRNNModel(config)
        let parameters = FloatBuffer(count: model.parameterCount)
        model.table.initialise(parameters, seed: 3)
        let decoderBias = model.table.entry(named: "decoder.2.bias")!
        for (i, v) in [Float(2), 0, -1, 1, 0.5].enumerated() { parameters[decoderBias.offset + i] = v }  // distinct probabilities
        let n = 20_000, temperature: Float = 0.7
        let generator = WindowWorkspace(model: model, batch: n, steps: 1)
        generator.generateStep(parameters: parameters.pointer, seed: 9, t: 0, temperature: temperature)
        let logits = (0..<5).map { generator.decoder.output[$0] }
        let weights = logits.map { exp(Double(($0 - logits.max()!) / temperature)) }
        var counts = [Int](repeating: 0, count: 5)
        for token in generator.tokens { counts[Int(token)] += 1 }
        for k in 0..<5 {
            let p = weights[k] / weights.reduce(0, +), frequency = Double(counts[k]) / Double(n)
            XCTAssertEqual(frequency, p, accuracy: 4 * (p * (1 - p) / Double(n)).squareRoot() + 1e-3, "token \(k)")
        }
    }

    /// A stream's sample does not depend on how many streams are drawn beside it, also when they
    /// outnumber the vocabulary (the workspace then has token tables, and the RNN's first layer
    /// keeps its input gates for one step only) and with a second recurrent layer.
    func testAStreamsSampleDoesNotDependOnTheStreamsBesideIt() throws {
        let config = TestConfigs.make(input: .categorical, size: 5, head: .categorical, variant: .vrnn, cell: .gru, layers: 2, activation: .elu)
        let model = try VRNNModel(config)
        let parameters = FloatBuffer(count: model.parameterCount)
        model.table.initialise(parameters, seed: 8)
        let few = WindowWorkspace(model: model, batch: 3, steps: 1), many = WindowWorkspace(model: model, batch: 12, steps: 1)
        XCTAssertNil(few.tokenTables)
        XCTAssertNotNil(many.tokenTables, "12 streams are more than the 5 tokens")
        for t in 0..<6 {
            for generator in [few, many] { generator.generateStep(parameters: parameters.pointer, seed: 2, t: t, temperature: 1) }
            XCTAssertEqual(Array(many.tokens.prefix(3)), few.tokens, "step \(t)")
            let h = config.hidden
            for i in 0..<few.initialH.count {   // [L, B, H]: layer 0's streams, then layer 1's
                let (layer, rest) = i.quotientAndRemainder(dividingBy: 3 * h)
                XCTAssertEqual(many.initialH[layer * 12 * h + rest], few.initialH[i], accuracy: 1e-6, "step \(t), h[\(i)]")
            }
        }
    }

    /// Temperature 0 gives the mean of a Gaussian head.
    func testZeroTemperatureGivesTheMean() throws {
        let config = TestConfigs.make(head: .gaussian, variant: .rnn, cell: .gru, layers: 1, activation: .tanh)
        let window = try RandomWindow(config, batch: 2, steps: 1, seed: 4)
        let generator = WindowWorkspace(model: window.model, batch: 2, steps: 1)
        generator.generateStep(parameters: window.parameters.pointer, seed: 1, t: 0, temperature: 0)
        for b in 0..<2 {
            for d in 0..<3 { XCTAssertEqual(generator.frames[b * 3 + d], generator.decoder.output[b * 6 + d]) }
        }
    }
}
