import Foundation
import VRNN

/// How the weight of the KL term moves during training (ARCHITECTURE §4: the objective is
/// reconstruction + w * sum_j max(KL_j, free nats)):
///   w = beta * min(1, step / warmupSteps)                 fixed beta, with an optional linear warm-up
///   adaptive: after each step, log w += rate * (log target - log(w * KL / reconstruction)),
///             so w * KL / reconstruction approaches `target` (the warm-up factor still applies).
public struct KLSchedule: Codable, Equatable, Sendable {
    /// The fixed weight (or the adaptive weight's starting value).
    public var beta: Float = 1
    /// Steps of the linear warm-up from 0 to the full weight (0: none).
    public var warmupSteps: Int = 0
    /// Free nats per latent dimension and time step (0: none).
    public var freeNats: Float = 0
    /// The target of w * KL / reconstruction for the adaptive weight (nil: a fixed weight).
    public var adaptiveTarget: Float? = nil
    /// How fast the adaptive weight moves, per step, in log space.
    public var adaptiveRate: Float = 0.01
    /// The adaptive weight is kept in [minimum, maximum].
    public static let adaptiveRange: ClosedRange<Float> = 1e-4...1e4

    public init() {}

    /// The KL term at `step` (0-based: the step about to be taken) given the base weight (beta,
    /// or the adaptive weight's current value).
    public func term(step: Int, base: Float) -> KLTerm {
        let ramp = warmupSteps > 0 ? min(1, Float(step + 1) / Float(warmupSteps)) : 1
        return KLTerm(weight: base * ramp, freeNats: freeNats)
    }

    /// The adaptive base weight after a step that measured `kl` and `reconstruction` (sums or
    /// means over the same rows) at weight `weight`; the same base when the weight is fixed, and
    /// while the ratio is undefined (KL or reconstruction not positive: continuous densities can
    /// make the reconstruction negative).
    public func adapted(base: Float, weight: Float, kl: Double, reconstruction: Double) -> Float {
        guard let adaptiveTarget, Self.ratioDefined(kl: kl, reconstruction: reconstruction), weight > 0 else { return base }
        let ratio = Double(weight) * kl / reconstruction
        let next = Double(base) * exp(Double(adaptiveRate) * (log(Double(adaptiveTarget)) - log(ratio)))
        return Float(next).clamped(to: Self.adaptiveRange)
    }

    /// Whether w * KL / reconstruction can steer the adaptive weight: both terms positive.
    public static func ratioDefined(kl: Double, reconstruction: Double) -> Bool { kl > 0 && reconstruction > 0 }

    /// One line describing the schedule, for the training log.
    public var summary: String {
        var parts = [adaptiveTarget.map { "adaptive weight from \(beta), target w*KL/recon \($0), rate \(adaptiveRate)" }
                     ?? "weight \(beta)"]
        if warmupSteps > 0 { parts.append("linear warm-up over \(warmupSteps) steps") }
        if freeNats > 0 { parts.append("\(freeNats) free nats per latent dimension") }
        return "KL " + parts.joined(separator: ", ")
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
