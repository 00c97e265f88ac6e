import Drawing
import Foundation
import Storage

/// `vrnn plot`: a run's loss curves from its metrics.csv, as SVG.
public enum LossCurves {
    /// `source` is a run folder or its metrics.csv; `out` defaults to the run's losses.svg (always
    /// redrawn). Returns the path written.
    public static func draw(_ source: String, out: String?, force: Bool) throws -> String {
        let metrics = source.hasSuffix(".csv") ? source : RunFolder(path: source).metricsPath
        if let out { try OutputGuard.check(out, inputs: [metrics], force: force, runFileAllowed: "losses.svg") }
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else {
            throw UserError("\(metrics): cannot read it; give a run folder made by `vrnn train`")
        }
        let (columns, history) = try parse(csv: text, source: metrics)
        let target = out ?? RunFolder(path: URL(fileURLWithPath: metrics).deletingLastPathComponent().path).lossesPath
        try AtomicFile.write(Data(LossPlot.svg(columns: columns, history: history).utf8), to: target)
        return target
    }

    /// metrics.csv as its column names and the rows [rows * columns], NaN where a cell is empty.
    static func parse(csv: String, source: String) throws -> (columns: [String], history: [Double]) {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, header.contains("step") else { throw UserError("\(source): not a vrnn metrics file (no step column)") }
        let history = lines.dropFirst().flatMap { row in header.indices.map { $0 < row.count ? Double(row[$0]) ?? .nan : .nan } }
        return (header, history)
    }
}
