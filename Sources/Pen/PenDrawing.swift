/// Frames [dx, dy, p] turned back into strokes of absolute points: the pen starts at (0, 0),
/// each frame moves it by (dx, dy), and p > 0.5 lifts it after that point, so the next frame is a
/// move, not a line.
public struct PenDrawing: Sendable {
    public var strokes: [[(Float, Float)]]
    /// The last stroke was cut off before the pen lifted (a sample of a fixed length).
    public var endsMidStroke = false

    public init(strokes: [[(Float, Float)]]) { self.strokes = strokes }

    /// `frames` holds [T, 3] row-major.
    public init(frames: [Float]) {
        var strokes: [[(Float, Float)]] = [], current: [(Float, Float)] = []
        var x: Float = 0, y: Float = 0
        for t in 0..<frames.count / 3 {
            x += frames[3 * t]
            y += frames[3 * t + 1]
            current.append((x, y))
            if frames[3 * t + 2] > 0.5 {
                strokes.append(current)
                current = []
            }
        }
        if !current.isEmpty { strokes.append(current) }
        self.strokes = strokes
        endsMidStroke = !current.isEmpty
    }

    /// The strokes the pen finished (lifted after).
    public var finishedStrokes: ArraySlice<[(Float, Float)]> { endsMidStroke ? strokes.dropLast() : strokes[...] }

    /// The smallest box holding every point: (minX, minY, maxX, maxY).
    public var bounds: (Float, Float, Float, Float) {
        let all = strokes.joined()
        guard let first = all.first else { return (0, 0, 1, 1) }
        return all.reduce((first.0, first.1, first.0, first.1)) { b, p in (min(b.0, p.0), min(b.1, p.1), max(b.2, p.0), max(b.3, p.1)) }
    }
}
