import Foundation
import Kernels
import Training
import XCTest

/// Adam and AdamW with the learning-rate schedules against PyTorch (torch.optim.AdamW and Adam's
/// L2 `weight_decay`, driven by CosineAnnealingLR and StepLR), through the committed fixture that
/// tools/reference/make_optimiser_fixture.py writes. Both sides compute in float32; PyTorch's
/// update is ordered differently (it divides by the bias corrections separately), so the
/// parameters agree to a few ulps, checked as 1e-6 of each step's largest parameter.
final class OptimiserFixtureTests: XCTestCase {
    struct Fixture: Decodable {
        struct Schedule: Decodable { var shape: String; var minimum: Float?; var every: Int?; var decay: Float? }
        struct Case: Decodable {
            var style: String
            var learning_rate: Float
            var weight_decay: Float
            var steps: Int
            var schedule: Schedule
            var initial: [Float]
            var gradients: [[Float]]
            var rates: [Double]
            var parameters: [[Float]]
        }
        var cases: [Case]
    }

    func testAdamWAndL2DecayFollowPyTorchStepByStep() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/optimiser.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertEqual(fixture.cases.map(\.style), ["adamw", "l2"])
        for c in fixture.cases {
            var training = TrainingConfig()
            training.steps = c.steps
            training.adam.learningRate = c.learning_rate
            training.adam.weightDecay = c.weight_decay
            training.adam.decayStyle = try XCTUnwrap(AdamConfig.DecayStyle(rawValue: c.style))
            training.lrSchedule.shape = try XCTUnwrap(LearningRateSchedule.Shape(rawValue: c.schedule.shape))
            training.lrSchedule.minimum = c.schedule.minimum ?? 0
            training.lrSchedule.every = c.schedule.every
            training.lrSchedule.decay = c.schedule.decay ?? 0.1
            let adam = Adam(parameterCount: c.initial.count, config: training.adam)
            let parameters = FloatBuffer(c.initial), gradient = FloatBuffer(count: c.initial.count)
            for step in 0..<c.steps {
                let rate = training.learningRate(step: step)
                XCTAssertEqual(Double(rate), c.rates[step], accuracy: 1e-7 * c.rates[step], "\(c.style) rate at step \(step)")
                for i in 0..<gradient.count { gradient[i] = c.gradients[step][i] }
                adam.update(parameters: parameters, gradient: gradient, learningRate: rate)
                let scale = c.parameters[step].map(abs).max()!
                for i in 0..<parameters.count {
                    XCTAssertEqual(parameters[i], c.parameters[step][i], accuracy: 1e-6 * scale, "\(c.style) parameter \(i) after step \(step + 1)")
                }
            }
        }
    }

    /// The warm-up and the schedules' shapes by hand: the warm-up reaches the base rate at its last
    /// step, cosine ends at the minimum, the step schedule is floored at it.
    func testWarmUpAndShapesByHand() {
        var schedule = LearningRateSchedule()
        schedule.warmupSteps = 4
        XCTAssertEqual((0..<6).map { schedule.rate(step: $0, steps: 10, base: 1) }, [0.25, 0.5, 0.75, 1, 1, 1])
        schedule.shape = .cosine
        schedule.minimum = 0.1
        XCTAssertEqual(schedule.rate(step: 4, steps: 10, base: 1), 1)
        XCTAssertEqual(schedule.rate(step: 7, steps: 10, base: 1), 0.55, accuracy: 1e-6)   // half-way: (1 + 0.1) / 2
        XCTAssertEqual(schedule.rate(step: 10, steps: 10, base: 1), 0.1, accuracy: 1e-7)
        XCTAssertEqual(schedule.rate(step: 50, steps: 10, base: 1), 0.1, accuracy: 1e-7)   // past the end (a longer resume): the minimum
        schedule.shape = .step
        schedule.decay = 0.1
        schedule.every = 2
        XCTAssertEqual((4..<10).map { schedule.rate(step: $0, steps: 10, base: 1) }, [1, 1, 0.1, 0.1, 0.1, 0.1])
        schedule.every = nil   // a third of the 6 steps after warm-up
        XCTAssertEqual(schedule.rate(step: 5, steps: 10, base: 1), 1)
        XCTAssertEqual(schedule.rate(step: 6, steps: 10, base: 1), 0.1, accuracy: 1e-7)
    }

    /// A configuration written before decoupled decay existed keeps its L2 meaning.
    func testOldConfigurationsKeepL2Decay() throws {
        let old = #"{"learningRate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0.01}"#
        XCTAssertEqual(try JSONDecoder().decode(AdamConfig.self, from: Data(old.utf8)).decayStyle, .l2)
        XCTAssertEqual(AdamConfig().decayStyle, .adamw)
    }
}
