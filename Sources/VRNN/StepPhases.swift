import Foundation

/// Where a training step's wall-clock time goes, phase by phase (`vrnn bench --phases`). The
/// step calls `start` once, then `end(phase)` as each phase ends: a phase is charged the time
/// since the previous mark, so the phases tile the step. A workspace or trainer without one
/// (the default) reads no clock.
public final class StepPhases {
    /// The phases in the order a step runs them; the raw value is the phase's JSON key.
    public enum Phase: String, CaseIterable, Sendable {
        case data, noise, inputs, forwardLoop = "forward_loop", priorDecoderForward = "prior_decoder_forward", losses,
             priorDecoderBackward = "prior_decoder_backward", backwardLoop = "backward_loop", weightGradients = "weight_gradients",
             inputGradients = "input_gradients", allreduce, update

        /// The report's name of the phase.
        public var label: String {
            switch self {
            case .data: return "reading the window"
            case .noise: return "latent noise, dropout masks, gradient zeroed"
            case .inputs: return "forward: weights transposed, phi_x or token tables"
            case .forwardLoop: return "forward: time loop"
            case .priorDecoderForward: return "forward: decoder and prior, batched"
            case .losses: return "losses and their gradients"
            case .priorDecoderBackward: return "backward: decoder and prior, batched"
            case .backwardLoop: return "backward: time loop"
            case .weightGradients: return "backward: weight gradients"
            case .inputGradients: return "backward: phi_x or token tables"
            case .allreduce: return "gradient and loss allreduce, with the wait for the slowest rank"
            case .update: return "clipping, Adam, the rest"
            }
        }
    }

    /// Seconds charged to each phase, and the steps they cover.
    public private(set) var seconds: [Phase: Double] = [:]
    public private(set) var steps = 0
    private var last: UInt64 = 0

    public init() {}

    /// A step begins.
    public func start() {
        steps += 1
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// `phase` ends now: it is charged the time since the previous mark.
    public func end(_ phase: Phase) {
        let now = DispatchTime.now().uptimeNanoseconds
        seconds[phase, default: 0] += Double(now - last) / 1e9
        last = now
    }

    /// Milliseconds per step of each phase, in step order.
    public var millisecondsPerStep: [(phase: Phase, ms: Double)] {
        Phase.allCases.map { ($0, steps == 0 ? 0 : 1e3 * seconds[$0, default: 0] / Double(steps)) }
    }
}
