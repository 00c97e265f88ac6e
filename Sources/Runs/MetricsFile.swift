import Foundation
import Storage
import Training

/// metrics.csv in the run folder: one row per step, with the validation loss where measured.
/// The rows are also kept in memory, because a checkpoint carries the history; a resumed run
/// rewrites the file from the checkpoint's history, dropping rows of steps it will redo.
final class MetricsFile {
    /// `skipped` is 1 for a step whose update was dropped as not finite (--on-nonfinite skip).
    static let columns = ["step", "loss", "reconstruction", "kl", "grad_norm", "lr", "char_steps_per_s", "kl_weight", "valid_loss", "skipped"]
    let handle: FileHandle
    /// [rows * columns], row-major; NaN where no validation loss was measured.
    private(set) var history: [Double]

    init(path: String, history: [Double] = []) throws {
        precondition(history.count % Self.columns.count == 0)
        self.history = history
        let rows = stride(from: 0, to: history.count, by: Self.columns.count).map { Self.line(history[$0..<$0 + Self.columns.count]) }
        try AtomicFile.write(Data((Self.columns.joined(separator: ",") + "\n" + rows.joined()).utf8), to: path)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw UserError("\(path): cannot open the metrics file") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    func append(_ m: StepMetrics, charactersPerSecond: Double) {
        let row: [Double] = [Double(m.step), m.loss, m.reconstruction, m.kl, m.gradientNorm, Double(m.learningRate),
                   charactersPerSecond, Double(m.klWeight), m.validLoss ?? .nan, m.applied ? 0 : 1]
        history += row
        handle.write(Data(Self.line(row[...]).utf8))
    }

    static func line(_ row: ArraySlice<Double>) -> String {
        let r = Array(row)
        return String(format: "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.1f,%.6g,", Int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7])
            + (r[8].isNaN ? "" : String(format: "%.6f", r[8])) + "," + (r[9].isNaN ? "" : String(format: "%d", Int(r[9]))) + "\n"
    }

    /// A history stored with other columns (an older version) in today's columns, matched by
    /// name; NaN where a column did not exist.
    static func adopt(_ history: [Double], columns stored: [String]) -> [Double] {
        guard stored != columns, !stored.isEmpty else { return history }
        let source = columns.map { stored.firstIndex(of: $0) }
        return stride(from: 0, to: history.count, by: stored.count).flatMap { start in
            source.map { $0.map { history[start + $0] } ?? .nan }
        }
    }
}
