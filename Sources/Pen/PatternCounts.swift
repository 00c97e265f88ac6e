import Foundation

/// What a set of drawings contains, stroke by stroke as the classifier labels them, and how the
/// labels follow one another: the figures experiment (c) compares with the task's truth. A stroke
/// cut off by the end of a sample is not counted.
public struct PatternCounts: Sendable {
    public private(set) var strokes: [PenPattern: Int] = [:]
    public private(set) var unlabelled = 0
    /// transitions[a][b]: strokes labelled b right after a stroke labelled a.
    public private(set) var transitions: [PenPattern: [PenPattern: Int]] = [:]

    public init(_ drawings: [PenDrawing]) {
        for drawing in drawings {
            var previous: PenPattern?
            for stroke in drawing.finishedStrokes {
                let label = PenClassifier.label(stroke)
                if let label { strokes[label, default: 0] += 1 } else { unlabelled += 1 }
                if let previous, let label { transitions[previous, default: [:]][label, default: 0] += 1 }
                previous = label
            }
        }
    }

    /// A plain-text table: generated frequencies (with their standard error) against the truth.
    public func report(_ task: PenTask) -> String {
        let total = strokes.values.reduce(0, +) + unlabelled
        var lines = ["strokes: \(total), labelled: " + PenPattern.allCases.compactMap { p in strokes[p].map { "\(p.rawValue) \($0)" } }
            .joined(separator: ", ") + ", unlabelled \(unlabelled)"]
        func frequency(_ count: Int, of n: Int, truth: Double) -> String {
            guard n > 0 else { return "   -   (truth \(String(format: "%.3f", truth)))" }
            let p = Double(count) / Double(n)
            return String(format: "%.3f ± %.3f (truth %.3f)", p, (p * (1 - p) / Double(n)).squareRoot(), truth)
        }
        switch task {
        case .switching:
            for from in [PenPattern.circle, .triangle, .eight] {
                let row = transitions[from] ?? [:], n = row.values.reduce(0, +)
                let truth = Dictionary(PenTask.switchingTransitions(after: from), uniquingKeysWith: +)
                lines.append("after \(from.rawValue) (\(n)): " + [PenPattern.circle, .triangle, .eight, .outline, .wideOval, .thinOval]
                    .filter { row[$0] != nil || truth[$0] != nil }
                    .map { "\($0.rawValue) " + frequency(row[$0] ?? 0, of: n, truth: truth[$0] ?? 0) }.joined(separator: ", "))
            }
        case .eye:
            let wide = strokes[.wideOval] ?? 0, ovals = wide + (strokes[.thinOval] ?? 0)
            lines.append("ovals \(ovals): wide " + frequency(wide, of: ovals, truth: PenTask.wideOvalProbability)
                         + ", thin " + frequency(ovals - wide, of: ovals, truth: 1 - PenTask.wideOvalProbability))
            let outlines = transitions[.outline] ?? [:], n = outlines.values.reduce(0, +)
            lines.append("after an outline (\(n)): an oval " + frequency((outlines[.wideOval] ?? 0) + (outlines[.thinOval] ?? 0), of: n, truth: 1))
        }
        return lines.joined(separator: "\n")
    }
}
