import Foundation
import Kernels

/// The built-in pen-trajectory datasets (issue 5): a sequence is a row of figures drawn left to
/// right, each stroke ending with the pen lifted. Frames are [dx, dy, p]: the offset from the
/// previous point (the first frame of a stroke is the pen-up move to its start) and p = 1 on a
/// stroke's last point, when the pen lifts.
///
///   switching  strokes follow a Markov chain: after a circle (A) always a triangle (B); after a
///              triangle, a triangle, an eight (C) or a circle with probability 1/3 each; after an
///              eight always a circle.
///   eye        figures of an outline and, above it, a wide oval (probability 2/3) or a thin one.
public enum PenTask: String, CaseIterable, Sendable {
    case switching, eye

    /// Figures drawn side by side are this far apart.
    public static let spacing: Float = 3

    /// The probability of each next pattern after `previous` (the truth the experiments compare
    /// generated transitions with).
    public static func switchingTransitions(after previous: PenPattern) -> [(PenPattern, Double)] {
        switch previous {
        case .circle: return [(.triangle, 1)]
        case .triangle: return [(.triangle, 1.0 / 3), (.eight, 1.0 / 3), (.circle, 1.0 / 3)]
        case .eight: return [(.circle, 1)]
        default: return []
        }
    }

    /// Probability of the wide oval in the eye task.
    public static let wideOvalProbability = 2.0 / 3

    /// Sequence `index` of the task: `figures` figures (strokes for switching), positions
    /// jittered by N(0, jitter^2). Deterministic in (seed, index).
    public func sequence(seed: UInt64, index: Int, figures: Int, jitter: Float) -> (frames: [Float], strokes: [PenPattern]) {
        let random = CounterRandom(seed: seed, stream: UInt64(index))
        var u: Float = 0
        func uniform(_ k: Int) -> Double {
            random.fillUniform(&u, count: 1, step: UInt32(k), t: 0, purpose: 0)
            return Double(u)
        }
        var strokes: [PenPattern] = []
        var origins: [Float] = []
        switch self {
        case .switching:
            // The chain starts from its stationary distribution (A 1/3, B 1/2, C 1/6).
            let first = uniform(0)
            var current: PenPattern = first < 1.0 / 3 ? .circle : first < 5.0 / 6 ? .triangle : .eight
            for k in 0..<figures {
                strokes.append(current)
                origins.append(Float(k) * Self.spacing)
                let choices = Self.switchingTransitions(after: current)
                var target = uniform(k + 1), next = choices.last!.0
                for (pattern, p) in choices { if target < p { next = pattern; break }; target -= p }
                current = next
            }
        case .eye:
            for k in 0..<figures {
                strokes += [.outline, uniform(k) < Self.wideOvalProbability ? .wideOval : .thinOval]
                origins += [Float(k) * Self.spacing, Float(k) * Self.spacing]
            }
        }
        let points = strokes.enumerated().map { k, pattern in pattern.points.map { ($0.0 + origins[k], $0.1) } }
        let total = points.reduce(0) { $0 + $1.count }
        var noise = [Float](repeating: 0, count: 2 * total)
        random.fillNormal(&noise, count: noise.count, step: UInt32(figures + 1), t: 1, purpose: 0)
        var frames: [Float] = []
        frames.reserveCapacity(3 * total)
        var previous: (Float, Float) = (0, 0), n = 0
        for stroke in points {
            for (i, point) in stroke.enumerated() {
                let x = point.0 + jitter * noise[2 * n], y = point.1 + jitter * noise[2 * n + 1]
                frames += [x - previous.0, y - previous.1, i == stroke.count - 1 ? 1 : 0]
                previous = (x, y)
                n += 1
            }
        }
        return (frames, strokes)
    }
}
