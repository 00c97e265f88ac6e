import Foundation

/// The learning rate as a pure function of the step (so a resume continues it bit-exactly), over
/// the run's `--steps`. With t the 0-based step about to be taken, W the warm-up, S the steps:
///   warm-up   lr = base * (t + 1) / W                                  for t < W
///   constant  lr = base
///   cosine    lr = min + (base - min) * (1 + cos(pi * (t - W) / (S - W))) / 2
///             (PyTorch's CosineAnnealingLR with T_max = S - W, eta_min = min)
///   step      lr = max(min, base * decay ^ floor((t - W) / every))
///             (PyTorch's StepLR with step_size = every, gamma = decay, floored at min)
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public enum Shape: String, Codable, CaseIterable, Sendable { case constant, cosine, step }

    public var shape: Shape = .constant
    /// Steps of the linear warm-up from base / W to base (0: none).
    public var warmupSteps: Int = 0
    /// The cosine's end and the step schedule's floor.
    public var minimum: Float = 0
    /// The step schedule's factor per interval.
    public var decay: Float = 0.1
    /// The step schedule's interval in steps (nil: a third of the steps after the warm-up).
    public var every: Int? = nil
    /// The step count the schedule spans: the run's `--steps` when it started, kept on resume
    /// (nil: the run's current `--steps`). A run continued past it stays at the schedule's end.
    public var horizon: Int? = nil

    public init() {}

    private enum CodingKeys: String, CodingKey { case shape, warmupSteps, minimum, decay, every, horizon }

    /// Any field a file leaves out takes its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LearningRateSchedule()
        shape = try c.decodeIfPresent(Shape.self, forKey: .shape) ?? d.shape
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? d.warmupSteps
        minimum = try c.decodeIfPresent(Float.self, forKey: .minimum) ?? d.minimum
        decay = try c.decodeIfPresent(Float.self, forKey: .decay) ?? d.decay
        every = try c.decodeIfPresent(Int.self, forKey: .every)
        horizon = try c.decodeIfPresent(Int.self, forKey: .horizon)
    }

    /// The rate of step `step` (0-based) from `base`, in a run of `steps` steps (the horizon, when
    /// set, replaces it).
    public func rate(step: Int, steps: Int, base: Float) -> Float {
        let steps = horizon ?? steps
        if step < warmupSteps { return base * Float(step + 1) / Float(warmupSteps) }
        let t = step - warmupSteps, span = max(steps - warmupSteps, 1)
        switch shape {
        case .constant:
            return base
        case .cosine:
            let progress = Double(min(t, span)) / Double(span)
            return Float(Double(minimum) + Double(base - minimum) * (1 + cos(Double.pi * progress)) / 2)
        case .step:
            let interval = every ?? max(span / 3, 1)
            return max(minimum, Float(Double(base) * pow(Double(decay), Double(t / interval))))
        }
    }

    /// One line for the training log.
    public func summary(steps: Int, base: Float) -> String {
        let steps = horizon ?? steps
        var text: String
        switch shape {
        case .constant: text = "learning rate \(base)"
        case .cosine: text = "learning rate \(base), cosine to \(minimum) at step \(steps)"
        case .step:
            let interval = every ?? max((steps - warmupSteps) / 3, 1)
            text = "learning rate \(base), times \(decay) every \(interval) steps" + (minimum > 0 ? " (at least \(minimum))" : "")
        }
        if warmupSteps > 0 { text += ", linear warm-up over \(warmupSteps) steps" }
        return text
    }
}
