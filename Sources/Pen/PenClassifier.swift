import Foundation

/// Labels one pen-down stroke as one of the task patterns, from its shape alone (position and
/// size do not matter):
///   - signed turning  Theta = sum of the angles between successive offsets: about +-4 pi for two
///     revolutions (circle, triangle), +-2 pi for one (outline, ovals), about 0 for an eight,
///     whose lobes turn opposite ways (while its absolute turning is about 6 pi);
///   - closure         every pattern ends near where it began;
///   - corners         three successive turns adding up to more than 1.5 rad: the triangle's;
///   - elongation      sqrt of the ratio of the points' covariance eigenvalues, and the direction
///     of the long axis: round (outline), wide (horizontal) or thin (vertical) ovals.
/// Returns nil for a stroke that is none of them (too short, or turning a non-pattern amount).
public enum PenClassifier {
    public static func label(_ points: [(Float, Float)]) -> PenPattern? {
        // Jitter on closely spaced points can turn an offset back on itself (an angle near pi of
        // either sign), so the turning is measured on the points averaged with their neighbours.
        let smooth = points.indices.map { i -> (Double, Double) in
            let window = max(i - 1, 0)...min(i + 1, points.count - 1)
            let n = Double(window.count)
            return (window.reduce(0) { $0 + Double(points[$1].0) } / n, window.reduce(0) { $0 + Double(points[$1].1) } / n)
        }
        var offsets: [(Double, Double)] = []
        for i in smooth.indices.dropFirst() {
            let d = (smooth[i].0 - smooth[i - 1].0, smooth[i].1 - smooth[i - 1].1)
            if d.0 * d.0 + d.1 * d.1 > 1e-12 { offsets.append(d) }
        }
        guard offsets.count >= PenPattern.pointsPerLoop / 2 else { return nil }
        let angles = (1..<offsets.count).map { i -> Double in
            let a = offsets[i - 1], b = offsets[i]
            return atan2(a.0 * b.1 - a.1 * b.0, a.0 * b.0 + a.1 * b.1)
        }
        // Every pattern is a closed curve: a stroke that ends far from where it began is none.
        let (x0, y0, x1, y1) = PenDrawing(strokes: [points]).bounds
        let gap = hypot(Double(points.last!.0 - points[0].0), Double(points.last!.1 - points[0].1))
        guard gap <= 0.3 * Double(max(x1 - x0, y1 - y0)) else { return nil }
        let loops = abs(angles.reduce(0, +)) / (2 * Double.pi)
        let turned = angles.reduce(0) { $0 + abs($1) } / (2 * Double.pi)
        switch loops {
        case ..<0.5: return (2...4.5).contains(turned) ? .eight : nil
        case 1.5..<2.5: return corners(angles) >= 3 ? .triangle : .circle
        case 0.5..<1.5:
            let shape = elongation(points)
            if shape.ratio > 0.7 { return .outline }
            return shape.horizontal ? .wideOval : .thinOval
        default: return nil
        }
    }

    /// Places where three successive turns add up to more than 1.5 rad (a triangle's corner
    /// turns by 2.1; a circle of 24 points by 0.8 over three), counted once each.
    static func corners(_ angles: [Double]) -> Int {
        var count = 0, i = 1
        while i + 1 < angles.count {
            if abs(angles[i - 1] + angles[i] + angles[i + 1]) > 1.5 { count += 1; i += 3 } else { i += 1 }
        }
        return count
    }

    /// sqrt(lambda_min / lambda_max) of the points' covariance, and whether the long axis is
    /// nearer the x axis.
    static func elongation(_ points: [(Float, Float)]) -> (ratio: Double, horizontal: Bool) {
        let n = Double(points.count)
        let mx = points.reduce(0) { $0 + Double($1.0) } / n, my = points.reduce(0) { $0 + Double($1.1) } / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for p in points {
            let dx = Double(p.0) - mx, dy = Double(p.1) - my
            sxx += dx * dx; syy += dy * dy; sxy += dx * dy
        }
        // Eigenvalues of [[sxx, sxy], [sxy, syy]].
        let mean = (sxx + syy) / 2, spread = (((sxx - syy) / 2) * ((sxx - syy) / 2) + sxy * sxy).squareRoot()
        let large = mean + spread, small = max(mean - spread, 0)
        return (large > 0 ? (small / large).squareRoot() : 1, sxx >= syy)
    }
}
