import Foundation

/// Line charts as SVG: panels stacked vertically, each with its own y axis, ticks at round
/// numbers and a legend; points that are not finite are skipped.
struct LineChart {
    struct Series { let name: String; let colour: String; let points: [(Double, Double)] }
    struct Panel { let title: String; let yLabel: String; let series: [Series] }

    var panels: [Panel]
    var xLabel: String
    let width = 760.0, panelHeight = 220.0
    let left = 70.0, right = 20.0, top = 30.0, bottom = 40.0

    func svg() -> String {
        var parts: [String] = []
        for (i, panel) in panels.enumerated() { parts += draw(panel, y0: Double(i) * (panelHeight + top + bottom)) }
        let height = Double(panels.count) * (panelHeight + top + bottom)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + parts.joined(separator: "\n") + "\n</svg>\n"
    }

    /// Values beyond this are drawn at it, so every span below stays finite.
    static let limit = 1e300

    private func draw(_ panel: Panel, y0: Double) -> [String] {
        let points = panel.series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }.map(Self.clamped)
        guard let first = points.first else { return ["<text x=\"\(f(left))\" y=\"\(f(y0 + top))\">\(panel.title): no data</text>"] }
        var (xMin, xMax, yMin, yMax) = points.reduce((first.0, first.0, first.1, first.1)) {
            (min($0.0, $1.0), max($0.1, $1.0), min($0.2, $1.1), max($0.3, $1.1))
        }
        (xMin, xMax) = Self.widened(xMin, xMax)
        (yMin, yMax) = Self.widened(yMin, yMax)
        let plotWidth = width - left - right, top = y0 + self.top
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { top + (yMax - y) / (yMax - yMin) * panelHeight }
        var out = ["<text x=\"\(f(left))\" y=\"\(f(top - 10))\" font-size=\"13\" font-weight=\"bold\">\(panel.title)</text>",
                   "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#888\"/>"]
        for y in Self.ticks(yMin, yMax) {
            out.append("<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"#eee\"/>")
            out.append("<text x=\"\(f(left - 5))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(Self.label(y))</text>")
        }
        for x in Self.ticks(xMin, xMax) {
            out.append("<text x=\"\(f(px(x)))\" y=\"\(f(top + panelHeight + 15))\" text-anchor=\"middle\">\(Self.label(x))</text>")
        }
        out.append("<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + panelHeight + 32))\" text-anchor=\"middle\">\(xLabel)</text>")
        out.append("<text transform=\"translate(14 \(f(top + panelHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(panel.yLabel)</text>")
        var legendX = left + plotWidth - 10
        for series in panel.series.reversed() {
            let finite = series.points.filter { $0.0.isFinite && $0.1.isFinite }.map(Self.clamped)
            guard !finite.isEmpty else { continue }
            let path = finite.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            out.append(finite.count == 1
                ? "<circle cx=\"\(f(px(finite[0].0)))\" cy=\"\(f(py(finite[0].1)))\" r=\"3\" fill=\"\(series.colour)\"/>"
                : "<polyline fill=\"none\" stroke=\"\(series.colour)\" stroke-width=\"1.5\" points=\"\(path)\"/>")
            out.append("<text x=\"\(f(legendX))\" y=\"\(f(top + 14))\" text-anchor=\"end\" fill=\"\(series.colour)\">\(series.name)</text>")
            legendX -= 9 * Double(series.name.count) + 16
        }
        return out
    }

    static func clamped(_ point: (Double, Double)) -> (Double, Double) {
        (min(max(point.0, -limit), limit), min(max(point.1, -limit), limit))
    }

    /// An axis range with room: a flat series (or one whose span is lost to rounding, like
    /// 1e17 + 1) gets a margin relative to its size.
    static func widened(_ low: Double, _ high: Double) -> (Double, Double) {
        guard high - low <= max(abs(low), abs(high)) * 1e-9 else { return (low, high) }
        let margin = max(abs(low), abs(high), 1) * 1e-3
        return (low - margin, high + margin)
    }

    /// About five round values (1, 2 or 5 times a power of ten apart) inside [low, high]; at
    /// most a dozen whatever the range.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let raw = (high - low) / 5, power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? raw
        guard step.isFinite, step > 0, (high - low) / step <= 12, (ceil(low / step) * step).isFinite else { return [low, high] }
        return stride(from: ceil(low / step) * step, through: high + step * 1e-9, by: step).map { $0 }
    }

    static func label(_ v: Double) -> String {
        abs(v) >= 1e4 || (abs(v) < 1e-3 && v != 0) ? String(format: "%.2g", v) : String(format: "%g", (v * 1e4).rounded() / 1e4)
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
