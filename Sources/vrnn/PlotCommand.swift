import ArgumentParser
import Foundation
import Storage

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a run's loss curves (total and validation, reconstruction, KL and its weight) as SVG.",
        discussion: "Training also writes RUN/losses.svg at every checkpoint.")

    @Argument(help: "A run folder (or its metrics.csv).") var folder: String
    @Option(help: "Output SVG (default: RUN/losses.svg).") var out: String?

    func run() throws {
        let metrics = folder.hasSuffix(".csv") ? folder : folder + "/metrics.csv"
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else {
            throw UserError("\(metrics): cannot read it; give a run folder made by `vrnn train`")
        }
        let target = out ?? URL(fileURLWithPath: metrics).deletingLastPathComponent().appendingPathComponent("losses.svg").path
        try AtomicFile.write(Data(try LossPlot.svg(csv: text, source: metrics).utf8), to: target)
        print("vrnn plot: \(target)")
    }
}

/// The loss curves of a metrics.csv (columns by name, so older files still plot).
enum LossPlot {
    static func svg(csv: String, source: String) throws -> String {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let stepColumn = header.firstIndex(of: "step") else {
            throw UserError("\(source): not a vrnn metrics file (no step column)")
        }
        let rows = lines.dropFirst()
        func series(_ name: String, _ label: String, _ colour: String) -> LineChart.Series? {
            guard let column = header.firstIndex(of: name) else { return nil }
            let points = rows.compactMap { row -> (Double, Double)? in
                guard row.count > column, let x = Double(row[stepColumn]), let y = Double(row[column]) else { return nil }
                return (x, y)
            }
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
