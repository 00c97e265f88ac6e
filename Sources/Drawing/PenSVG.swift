import Foundation
import Pen

/// Drawings as one SVG: a row per drawing with its title, strokes as polylines (pen-up moves are
/// not drawn), each stroke coloured by the pattern the classifier gives it.
public enum PenSVG {
    static let colours: [PenPattern: String] = [
        .circle: "#1f77b4", .triangle: "#ff7f0e", .eight: "#2ca02c", .outline: "#7f7f7f", .wideOval: "#9467bd", .thinOval: "#d62728",
    ]

    public static func render(_ rows: [(title: String, drawing: PenDrawing)], width: Double = 960) -> String {
        let margin = 10.0, titleHeight = 18.0, legendHeight = 22.0
        var body: [String] = [], y = legendHeight
        for row in rows {
            let (x0, y0, x1, y1) = row.drawing.bounds
            let spanX = Double(max(x1 - x0, 1e-3)), spanY = Double(max(y1 - y0, 1e-3))
            let scale = min((width - 2 * margin) / spanX, 160 / spanY)
            let height = spanY * scale
            body.append("<text x=\"\(margin)\" y=\"\(format(y + 13))\" font-size=\"12\">\(escape(row.title))</text>")
            let top = y + titleHeight
            for stroke in row.drawing.strokes where stroke.count > 1 {
                let colour = PenClassifier.label(stroke).flatMap { colours[$0] } ?? "#000000"
                let points = stroke.map { format(margin + Double($0.0 - x0) * scale) + "," + format(top + Double(y1 - $0.1) * scale) }
                body.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>")
            }
            y = top + height + margin
        }
        var legend: [String] = [], x = margin
        for pattern in PenPattern.allCases {
            legend.append("<text x=\"\(format(x))\" y=\"14\" font-size=\"11\" fill=\"\(colours[pattern]!)\">\(pattern.rawValue)</text>")
            x += 70
        }
        legend.append("<text x=\"\(format(x))\" y=\"14\" font-size=\"11\">unlabelled</text>")
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(format(width))\" height=\"\(format(y))\" "
            + "viewBox=\"0 0 \(format(width)) \(format(y))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + (legend + body).joined(separator: "\n") + "\n</svg>\n"
    }

    static func format(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
