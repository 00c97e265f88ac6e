import Foundation
import Kernels
import Storage
import Training
@testable import VRNN
import XCTest

/// Matches the Swift model against the independent PyTorch implementation in
/// tools/reference/make_fixture.py (float64 autograd), through the committed fixture:
/// the loss to 1e-5 relative; every gradient, the gradients with respect to the carried-in state,
/// the final state and the clipped Adam step to 1e-4 of each tensor's largest entry (the step
/// beyond the one-ulp rounding of the updated Float parameter).
final class ReferenceFixtureTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference.h5").path

    /// max |a - b| / max |b| over one tensor.
    static func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "size mismatch \(a.count) vs \(b.count)")
        var diff = 0.0, scale = 0.0
        for i in a.indices {
            diff = max(diff, abs(Double(a[i]) - Double(b[i])))
            scale = max(scale, abs(Double(b[i])))
        }
        return diff / max(scale, 1e-12)
    }

    func testNotebookConfiguration() throws {
        try onEveryKernelPath { _ in
            try check(case: "a")
            try check(case: "a", tokenTables: false)
        }
    }
    func testContinuousLSTMConfiguration() throws { try onEveryKernelPath { _ in try check(case: "b") } }
    /// Case b's model with the residual posterior (PyTorch builds q from the prior and takes the
    /// KL from torch.distributions, an independent check of the residual kernels' formula).
    func testResidualPosterior() throws { try onEveryKernelPath { _ in try check(case: "c") } }
    /// Case b's model with dropout at every site, the masks drawn by the fixture and fed in.
    func testDropoutWithMasksFedIn() throws { try onEveryKernelPath { _ in try check(case: "d") } }

    /// `tokenTables: false` runs text input's phi_x and x-blocks over every row instead of per token.
    func check(case group: String, tokenTables: Bool = true) throws {
        let file = try HDF5File(readingAt: Self.fixture)
        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(try file.stringAttribute("config", of: group).utf8))
        let model = try VRNNModel(config)
        let x = config.input == .categorical ? try file.readInt32s("\(group)/x").shape : try file.readFloats("\(group)/x").shape
        let (steps, batch) = (x[0], x[1])
        let w = WindowWorkspace(model: model, batch: batch, steps: steps)
        // The fixture's window is smaller than the vocabulary, so the tables are asked for here.
        if config.input == .categorical { w.tokenTables = tokenTables ? TokenTables(model: model) : nil }
        let parameters = FloatBuffer(count: model.parameterCount)
        for entry in model.table.entries {
            let (shape, values) = try file.readFloats("\(group)/params/\(entry.name)")
            XCTAssertEqual(shape, entry.shape, entry.name)
            (parameters.pointer + entry.offset).update(from: values, count: entry.count)
        }
        if config.input == .categorical {
            w.tokens = try file.readInt32s("\(group)/x").values
        } else {
            w.frames.pointer.update(from: try file.readFloats("\(group)/x").values, count: w.frames.count)
        }
        w.reset = try file.readInt32s("\(group)/reset").values.map { UInt8($0) }
        w.noise.pointer.update(from: try file.readFloats("\(group)/noise").values, count: w.noise.count)
        w.initialH.pointer.update(from: try file.readFloats("\(group)/h0").values, count: w.initialH.count)
        if config.cell == .lstm {
            w.initialC.pointer.update(from: try file.readFloats("\(group)/c0").values, count: w.initialC.count)
        }
        if file.exists("\(group)/masks/phi_x") {
            w.enableDropout(rate: Float(try file.doubleAttribute("dropout", of: group)))
            let dropout = try XCTUnwrap(w.dropout)
            let sites = [("phi_x", dropout.phiX), ("phi_z", try XCTUnwrap(dropout.phiZ)), ("hidden", dropout.hidden)]
                + dropout.decoder.enumerated().map { ("decoder_\($0)", $1) }
            for (name, site) in sites {
                let stored = try file.readFloats("\(group)/masks/\(name)")
                XCTAssertEqual(stored.values.count, site.mask.count, name)
                site.mask.pointer.update(from: stored.values, count: site.mask.count)
            }
        }

        let normaliser = Float(try file.doubleAttribute("normaliser", of: group))
        let gradient = FloatBuffer(count: model.parameterCount)
        let forward = w.forward(parameters: parameters.pointer, normaliser: normaliser)
        w.backward(parameters: parameters.pointer, gradient: gradient.pointer, normaliser: normaliser)

        let loss = try file.readDoubles("\(group)/loss").values[0]
        let lossError = abs(forward.loss - loss) / abs(loss)
        XCTAssertLessThan(lossError, 1e-5, "loss \(forward.loss) vs reference \(loss)")
        let kl = try file.readDoubles("\(group)/kl").values[0]
        XCTAssertEqual(forward.kl, kl, accuracy: 1e-5 * max(abs(kl), 1))

        var worstGradient = 0.0
        for entry in model.table.entries {
            let reference = try file.readFloats("\(group)/grads/\(entry.name)").values
            let ours = Array(UnsafeBufferPointer(start: gradient.pointer + entry.offset, count: entry.count))
            let error = Self.maxRelativeDifference(ours, reference)
            worstGradient = max(worstGradient, error)
            XCTAssertLessThan(error, 1e-4, "gradient of \(entry.name)")
        }
        var worstState = Self.maxRelativeDifference(w.dInitialH.array, try file.readFloats("\(group)/dh0").values)
        worstState = max(worstState, Self.maxRelativeDifference(w.finalState().h, try file.readFloats("\(group)/h_final").values))
        if config.cell == .lstm {
            worstState = max(worstState, Self.maxRelativeDifference(w.dInitialC.array, try file.readFloats("\(group)/dc0").values))
        }
        XCTAssertLessThan(worstState, 1e-4, "carried state or its gradient")

        // One clipped Adam step with the fixture's hyper-parameters. The clip norm comes from our
        // gradients; the step is taken from the reference gradients, because Adam's first step
        // lr * g / (|g| + eps) multiplies the absolute error of entries near eps by lr / eps, so
        // any float32 gradient's last-bit noise on such entries would hide the optimiser's own error.
        var adamConfig = AdamConfig()
        adamConfig.learningRate = Float(try file.doubleAttribute("lr", of: group))
        adamConfig.beta1 = Float(try file.doubleAttribute("beta1", of: group))
        adamConfig.beta2 = Float(try file.doubleAttribute("beta2", of: group))
        adamConfig.epsilon = Float(try file.doubleAttribute("eps", of: group))
        adamConfig.weightDecay = Float(try file.doubleAttribute("weight_decay", of: group))
        adamConfig.decayStyle = .l2   // the fixture's torch.optim.Adam adds weight_decay * p to the gradient
        let norm = clipGlobalNorm(gradient, maxNorm: Float(try file.doubleAttribute("clip", of: group)))
        let referenceNorm = try file.doubleAttribute("grad_norm", of: group)
        XCTAssertEqual(norm, referenceNorm, accuracy: 1e-5 * referenceNorm)
        for entry in model.table.entries {
            let reference = try file.readFloats("\(group)/grads/\(entry.name)").values
            (gradient.pointer + entry.offset).update(from: reference, count: entry.count)
        }
        clipGlobalNorm(gradient, maxNorm: Float(try file.doubleAttribute("clip", of: group)))
        let before = parameters.array
        let adam = Adam(parameterCount: model.parameterCount, config: adamConfig)
        adam.update(parameters: parameters, gradient: gradient, learningRate: adamConfig.learningRate)
        var worstStep = 0.0
        for entry in model.table.entries {
            let reference = try file.readFloats("\(group)/adam_step/\(entry.name)").values
            // A Float parameter can hold its new value only to within one ulp, so the step read back
            // as (after - before) carries that rounding on top of the 1e-4 tolerance.
            var excess = 0.0, scale = 0.0
            for i in 0..<entry.count {
                let ours = Double(parameters[entry.offset + i]) - Double(before[entry.offset + i])
                let rounding = Double(parameters[entry.offset + i].ulp)
                excess = max(excess, abs(ours - Double(reference[i])) - rounding)
                scale = max(scale, abs(Double(reference[i])))
            }
            let error = max(excess, 0) / max(scale, 1e-12)
            worstStep = max(worstStep, error)
            XCTAssertLessThan(error, 1e-4, "Adam step of \(entry.name)")
        }
        print("reference fixture \(group): loss relative error \(lossError), worst gradient \(worstGradient), "
              + "state \(worstState), Adam step \(worstStep)")
    }
}
