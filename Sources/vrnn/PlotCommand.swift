import ArgumentParser
import Foundation
import Storage

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a run's loss curves (total and validation, reconstruction, KL and its weight) as SVG.",
        discussion: "Training also writes RUN/losses.svg at every checkpoint.")

    @Argument(help: "A run folder (or its metrics.csv).") var folder: String
    @Option(help: "Output SVG (default: RUN/losses.svg, which is always redrawn).") var out: String?
    @Flag(help: "Replace an existing --out file.") var force = false

    func run() throws {
        if let out { try refuseToOverwrite(out, force: force) }
        let metrics = folder.hasSuffix(".csv") ? folder : RunFolder(path: folder).metricsPath
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else {
            throw UserError("\(metrics): cannot read it; give a run folder made by `vrnn train`")
        }
        let (columns, history) = try LossPlot.parse(csv: text, source: metrics)
        let target = out ?? RunFolder(path: URL(fileURLWithPath: metrics).deletingLastPathComponent().path).lossesPath
        try AtomicFile.write(Data(LossPlot.svg(columns: columns, history: history).utf8), to: target)
        print("vrnn plot: \(target)")
    }
}

/// The loss curves of a run's metrics (columns by name, so older files still plot).
enum LossPlot {
    /// metrics.csv as its column names and the rows [rows * columns], NaN where a cell is empty.
    static func parse(csv: String, source: String) throws -> (columns: [String], history: [Double]) {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, header.contains("step") else { throw UserError("\(source): not a vrnn metrics file (no step column)") }
        let history = lines.dropFirst().flatMap { row in header.indices.map { $0 < row.count ? Double(row[$0]) ?? .nan : .nan } }
        return (header, history)
    }

    /// `history` holds rows of `columns` (MetricsFile's layout), row-major.
    static func svg(columns: [String], history: [Double]) -> String {
        let step = columns.firstIndex(of: "step")!, width = columns.count
        func series(_ name: String, _ label: String, _ colour: String) -> LineChart.Series? {
            guard let column = columns.firstIndex(of: name) else { return nil }
            let points = stride(from: 0, to: history.count, by: width).map { (history[$0 + step], history[$0 + column]) }
            return LineChart.Series(name: label, colour: colour, points: points)
        }
        let chart = LineChart(panels: [
            .init(title: "Negative ELBO (reconstruction + KL)", yLabel: "nats per step",
                  series: [series("loss", "training", "#1f77b4"), series("valid_loss", "validation", "#d62728")].compactMap { $0 }),
            .init(title: "Reconstruction -log p(x | z, h)", yLabel: "nats per step", series: [series("reconstruction", "training", "#2ca02c")].compactMap { $0 }),
            .init(title: "KL(q || p) and its weight (when it is not 1)", yLabel: "nats per step / weight",
                  series: [series("kl", "KL", "#ff7f0e"), series("kl_weight", "weight", "#7f7f7f")].compactMap { $0 }
                    .filter { $0.name == "KL" || $0.points.contains { $0.1 != 1 } }),
        ], xLabel: "step")
        return chart.svg()
    }
}
