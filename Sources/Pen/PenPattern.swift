import Foundation

/// The shapes of the built-in pen-trajectory tasks. Each is one pen-down stroke of points
/// around the origin, at most 1 from it (before jitter).
public enum PenPattern: String, CaseIterable, Sendable {
    case circle      // switching A: two revolutions of the unit circle, counter-clockwise
    case triangle    // switching B: an equilateral triangle traced twice
    case eight       // switching C: a figure eight traced twice
    case outline     // eye: the eye's outline, one revolution of the circle
    case wideOval    // eye: a wide oval above the outline
    case thinOval    // eye: a thin oval above the outline

    /// Points per loop: a revolution, a triangle or an eight.
    public static let pointsPerLoop = 24

    /// The stroke's points (x, y), in order.
    public var points: [(Float, Float)] {
        let n = Self.pointsPerLoop
        func loop(_ count: Int, _ f: (Float) -> (Float, Float)) -> [(Float, Float)] {
            (0...count).map { f(2 * Float.pi * Float($0) / Float(n)) }
        }
        switch self {
        case .circle: return loop(2 * n) { (cosf($0), sinf($0)) }
        case .outline: return loop(n) { (cosf($0), sinf($0)) }
        case .eight: return loop(2 * n) { (0.6 * sinf(2 * $0), sinf($0)) }
        case .wideOval: return loop(n) { (0.9 * cosf($0), 1.6 + 0.3 * sinf($0)) }
        case .thinOval: return loop(n) { (0.25 * cosf($0), 1.6 + 0.6 * sinf($0)) }
        case .triangle:
            let corners = (0..<3).map { k -> (Float, Float) in
                let a = Float.pi / 2 + 2 * Float.pi * Float(k) / 3
                return (cosf(a), sinf(a))
            }
            let perSide = n / 3
            return (0...(2 * n)).map { i in
                let side = (i / perSide) % 3, f = Float(i % perSide) / Float(perSide)
                let a = corners[side], b = corners[(side + 1) % 3]
                return (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1))
            }
        }
    }
}
