import Foundation

/// Where a training step's wall-clock time goes, phase by phase (`vrnn bench --phases`). The
/// step calls `start` once, then `end(phase)` as each phase ends: a phase is charged the time
/// since the previous mark, so the phases tile the step. A workspace or trainer without one
/// (the default) reads no clock.
public final class StepPhases {
    /// The phases in the order a step runs them.
    public enum Phase: Int, CaseIterable, Sendable {
        case data, noise, inputs, forwardLoop, priorDecoderForward, losses, priorDecoderBackward, backwardLoop,
             weightGradients, inputGradients, allreduce, update

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

        /// The JSON key of the phase.
        public var key: String {
            switch self {
            case .data: return "data"
            case .noise: return "noise"
            case .inputs: return "inputs"
            case .forwardLoop: return "forward_loop"
            case .priorDecoderForward: return "prior_decoder_forward"
            case .losses: return "losses"
            case .priorDecoderBackward: return "prior_decoder_backward"
            case .backwardLoop: return "backward_loop"
            case .weightGradients: return "weight_gradients"
            case .inputGradients: return "input_gradients"
            case .allreduce: return "allreduce"
            case .update: return "update"
            }
        }
    }

    /// Seconds charged to each phase (indexed by `Phase.rawValue`), and the steps they cover.
    public private(set) var seconds = [Double](repeating: 0, count: Phase.allCases.count)
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
        seconds[phase.rawValue] += Double(now - last) / 1e9
        last = now
    }

    /// Milliseconds per step of each phase, in step order.
    public var millisecondsPerStep: [(phase: Phase, ms: Double)] {
        Phase.allCases.map { ($0, steps == 0 ? 0 : 1e3 * seconds[$0.rawValue] / Double(steps)) }
    }
}
