import Foundation

/// The loss curves of a run's metrics (columns by name, so older files still plot): total and
/// validation loss, reconstruction, and KL with its weight when that is not 1 throughout.
public enum LossPlot {
    /// `history` holds rows of `columns` (MetricsFile's layout), row-major.
    public static func svg(columns: [String], history: [Double]) -> String {
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
