import Foundation
import Storage
import Training

/// metrics.csv in the run folder: one row per step, with the validation loss where measured.
/// Its cost does not grow with the run: a checkpoint keeps only the newest row and the newest
/// with a validation loss, and losses.svg is drawn from evenly thinned rows. A resumed run keeps
/// the file's rows up to the checkpoint's step (the steps after it are redone).
final class MetricsFile {
    /// `skipped` is 1 for a step whose update was dropped as not finite (--on-nonfinite skip).
    static let columns = ["step", "loss", "reconstruction", "kl", "grad_norm", "lr", "char_steps_per_s", "kl_weight", "valid_loss", "skipped"]
    static let validColumn = columns.firstIndex(of: "valid_loss")!
    let handle: FileHandle
    let path: String
    private var trainingRows = ThinnedRows(width: columns.count)
    private var validationRows = ThinnedRows(width: columns.count)
    private var newest: [Double] = [], newestValidated: [Double] = []

    /// `resumingAt`: the checkpoint's step, whose `checkpointRows` stand in when the file is gone.
    init(path: String, resumingAt step: Int? = nil, checkpointRows: [Double] = []) throws {
        var rows: [Double] = []
        if let step {
            let width = Self.columns.count
            let fromFile = (try? String(contentsOfFile: path, encoding: .utf8))
                .flatMap { try? LossCurves.parse(csv: $0, source: path) }.map { Self.adopt($0.history, columns: $0.columns) } ?? []
            let source = fromFile.isEmpty ? checkpointRows : fromFile
            rows = stride(from: 0, to: source.count, by: width).filter { source[$0] <= Double(step) }.flatMap { source[$0..<$0 + width] }
        }
        let lines = stride(from: 0, to: rows.count, by: Self.columns.count).map { Self.line(rows[$0..<$0 + Self.columns.count]) }
        try AtomicFile.write(Data((Self.columns.joined(separator: ",") + "\n" + lines.joined()).utf8), to: path)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw UserError("\(path): cannot open the metrics file") }
        handle.seekToEndOfFile()
        self.handle = handle
        self.path = path
        for start in stride(from: 0, to: rows.count, by: Self.columns.count) { keep(Array(rows[start..<start + Self.columns.count])) }
    }

    deinit { try? handle.close() }

    /// Appends the step's row; a failed write (a full disk) throws instead of ending the process.
    func append(_ m: StepMetrics, charactersPerSecond: Double) throws {
        let row: [Double] = [Double(m.step), m.loss, m.reconstruction, m.kl, m.gradientNorm, Double(m.learningRate),
                             charactersPerSecond, Double(m.klWeight), m.validLoss ?? .nan, m.applied ? 0 : 1]
        keep(row)
        let fd = handle.fileDescriptor, end = lseek(fd, 0, SEEK_CUR)
        if let reason = AtomicFile.writeAll(fd, Data(Self.line(row[...]).utf8)) {
            _ = ftruncate(fd, end)   // no row cut mid-number
            throw UserError("cannot write \(path): \(reason)")
        }
    }

    private func keep(_ row: [Double]) {
        newest = row
        if row[Self.validColumn].isNaN { trainingRows.append(row) } else { newestValidated = row; validationRows.append(row) }
    }

    /// What a checkpoint keeps: the newest row and the newest with a validation loss.
    var checkpointRows: [Double] { newestValidated.isEmpty || newestValidated == newest ? newest : newestValidated + newest }

    /// The rows losses.svg is drawn from (at most a few thousand), in step order.
    var plottedRows: [Double] {
        let width = Self.columns.count, all = trainingRows.rows + validationRows.rows
        return stride(from: 0, to: all.count, by: width).sorted { all[$0] < all[$1] }.flatMap { all[$0..<$0 + width] }
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
