import Foundation
import Storage
import Training

/// metrics.csv in the run folder: one row per step, with the validation loss where measured.
/// Its cost does not grow with the run: a checkpoint keeps the newest row, the newest with a
/// validation loss and the thinned rows losses.svg is drawn from, and a resumed run cuts the file
/// after the checkpoint's step reading back from its end only (the steps after it are redone).
final class MetricsFile {
    /// `skipped` is 1 for a step whose update was dropped as not finite (--on-nonfinite skip);
    /// the sigma and gap columns are the step's LatentRanges (empty without a latent variable).
    static let columns = ["step", "loss", "reconstruction", "kl", "grad_norm", "lr", "char_steps_per_s", "kl_weight", "valid_loss", "skipped",
                          "sigma_q_min", "sigma_q_max", "sigma_p_min", "sigma_p_max", "mu_gap_max"]
    static let validColumn = columns.firstIndex(of: "valid_loss")!
    let handle: FileHandle
    let path: String
    private(set) var history = MetricsHistory()
    /// Steps up to the checkpoint's that a resumed file had no rows for (lost before the resume).
    private(set) var missingSteps: ClosedRange<Int>?

    /// `resumingAt`: the checkpoint's step, with its rows and curve (nil when it predates curves).
    /// The checkpoint's rows stand in when the file is gone.
    init(path: String, resumingAt step: Int? = nil, checkpointRows: [Double] = [], curve: MetricsCurve? = nil) throws {
        self.path = path
        let width = Self.columns.count
        let restored = try curve.map { try MetricsHistory(restoring: $0, newest: checkpointRows) }
        if let step, let file = fopen(path, "r") {
            defer { fclose(file) }
            if let restored, Self.header(of: file) == Self.columns {
                history = restored
                let last = try Self.cut(path, after: step)
                if last < step { missingSteps = last + 1...step }
            } else {
                rewind(file)
                var replayed = MetricsHistory()
                try Self.rewrite(file, to: path, upTo: step) { replayed.keep($0) }
                history = replayed
            }
        } else {
            let rows = step.map { step in
                stride(from: 0, to: checkpointRows.count, by: width).map { Array(checkpointRows[$0..<$0 + width]) }.filter { $0[0] <= Double(step) }
            } ?? []
            try AtomicFile.write(Data((Self.columns.joined(separator: ",") + "\n" + rows.map { Self.line($0[...]) }.joined()).utf8), to: path)
            if let restored { history = restored } else { for row in rows { history.keep(row) } }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw UserError("\(path): cannot open the metrics file") }
        try handle.seekToEnd()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends the step's row; a failed write (a full disk) throws instead of ending the process.
    func append(_ m: StepMetrics, charactersPerSecond: Double) throws {
        let row: [Double] = [Double(m.step), m.loss, m.reconstruction, m.kl, m.gradientNorm, Double(m.learningRate),
                             charactersPerSecond, Double(m.klWeight), m.validLoss ?? .nan, m.applied ? 0 : 1]
            + (m.latent?.values ?? Array(repeating: .nan, count: 5))
        history.keep(row)
        let fd = handle.fileDescriptor, end = lseek(fd, 0, SEEK_CUR)
        if let reason = AtomicFile.writeAll(fd, Data(Self.line(row[...]).utf8)) {
            _ = ftruncate(fd, end)   // no row cut mid-number
            throw UserError("cannot write \(path): \(reason)")
        }
    }

    /// What a checkpoint keeps: the newest row and the newest with a validation loss, and the curve.
    var checkpointRows: [Double] { history.checkpointRows }
    var curve: MetricsCurve { history.curve }
    /// The rows losses.svg is drawn from (a bounded number), in step order.
    var plottedRows: [Double] { history.plottedRows }

    /// The column names of the file's first line.
    private static func header(of file: UnsafeMutablePointer<FILE>) -> [String] {
        var buffer: UnsafeMutablePointer<CChar>?, capacity = 0
        defer { free(buffer) }
        guard getline(&buffer, &capacity, file) >= 0 else { return [] }
        return String(cString: buffer!).trimmingCharacters(in: .newlines).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// Cuts the file after the last whole row whose step is at most `step`, reading back from the
    /// end: the cost depends on the rows after the checkpoint, not on the run's length. A last
    /// line without its newline (a write that was cut off) always goes. Returns the step of the
    /// last row kept (0 when none is).
    private static func cut(_ path: String, after step: Int) throws -> Int {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw UserError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        var loaded: [UInt8] = [], loadedFrom = size   // the file's bytes [loadedFrom, size)
        func byte(_ offset: Int) -> UInt8? {
            while offset < loadedFrom {
                let count = min(1 << 16, loadedFrom)
                var chunk = [UInt8](repeating: 0, count: count)
                guard pread(fd, &chunk, count, off_t(loadedFrom - count)) == count else { return nil }
                loaded = chunk + loaded
                loadedFrom -= count
            }
            return loaded[offset - loadedFrom]
        }
        /// The start of the line that ends just before `end`.
        func lineStart(before end: Int) -> Int {
            var start = end - 1
            while start > 0, let b = byte(start - 1), b != UInt8(ascii: "\n") { start -= 1 }
            return max(start, 0)
        }
        var keep = size, lastStep = 0
        if size > 0, byte(size - 1) != UInt8(ascii: "\n") { keep = lineStart(before: size) }
        while keep > 0 {
            let start = lineStart(before: keep)
            guard start > 0 else { break }   // the header
            var digits = ""
            var offset = start
            while let b = byte(offset), b != UInt8(ascii: ","), b != UInt8(ascii: "\n"), digits.count < 20 { digits.append(Character(UnicodeScalar(b))); offset += 1 }
            if let rowStep = Int(digits), rowStep <= step { lastStep = rowStep; break }
            keep = start
        }
        if keep < size, truncate(path, off_t(keep)) != 0 {
            throw UserError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return lastStep
    }

    /// Keeps the rows of `file` up to `step`, handing each to `keep`, a line at a time. A file in
    /// today's columns is cut in place after the last kept row (no rewrite: a resume costs one
    /// read); an older one is rewritten in today's columns, matched by name.
    private static func rewrite(_ file: UnsafeMutablePointer<FILE>, to path: String, upTo step: Int, keep: ([Double]) -> Void) throws {
        var buffer: UnsafeMutablePointer<CChar>?, capacity = 0
        defer { free(buffer) }
        func nextLine() -> String? {
            getline(&buffer, &capacity, file) < 0 ? nil : String(cString: buffer!).trimmingCharacters(in: .newlines)
        }
        let stored = (nextLine() ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let source = columns.map { stored.firstIndex(of: $0) }
        func row(_ text: String) -> [Double] {
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            return source.map { index in index.flatMap { $0 < fields.count ? Double(fields[$0]) : nil } ?? .nan }
        }
        if stored == columns {
            var cut: Int?
            while cut == nil {
                let start = ftell(file)
                guard let text = nextLine() else { break }
                let values = row(text)
                if values[0] <= Double(step) { keep(values) } else { cut = start }   // steps after the checkpoint are redone
            }
            if let cut, truncate(path, off_t(cut)) != 0 {
                throw UserError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            return
        }
        try AtomicFile.write(to: path) { fd in
            if let failure = AtomicFile.writeAll(fd, Data((columns.joined(separator: ",") + "\n").utf8)) { return failure }
            while let text = nextLine() {
                let values = row(text)
                guard values[0] <= Double(step) else { continue }   // redone after the checkpoint (a NaN step is dropped)
                keep(values)
                if let failure = AtomicFile.writeAll(fd, Data(Self.line(values[...]).utf8)) { return failure }
            }
            return nil
        }
    }

    /// Rows stored with other columns (an older version) in today's columns, matched by name;
    /// NaN where a column did not exist.
    static func adopt(_ history: [Double], columns stored: [String]) -> [Double] {
        guard stored != columns, !stored.isEmpty else { return history }
        let source = columns.map { stored.firstIndex(of: $0) }
        return stride(from: 0, to: history.count, by: stored.count).flatMap { start in
            source.map { $0.map { history[start + $0] } ?? .nan }
        }
    }

    static func line(_ row: ArraySlice<Double>) -> String {
        let r = Array(row)
        return String(format: "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.1f,%.6g,", Int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7])
            + (r[8].isNaN ? "" : String(format: "%.6f", r[8])) + "," + (r[9].isNaN ? "" : String(format: "%d", Int(r[9])))
            + r[10...].map { $0.isNaN ? "," : String(format: ",%.6g", $0) }.joined() + "\n"
    }
}

/// The rows a run keeps in memory, bounded however long it runs: the newest row, the newest with
/// a validation loss, and evenly thinned training and validation rows for the curves.
struct MetricsHistory {
    private var trainingRows = ThinnedRows(width: MetricsFile.columns.count)
    private var validationRows = ThinnedRows(width: MetricsFile.columns.count)
    private var newest: [Double] = [], newestValidated: [Double] = []

    init() {}

    /// Continues the history a checkpoint saved: its curve, and its newest rows
    /// (`MetricsHistory.checkpointRows`).
    init(restoring curve: MetricsCurve, newest rows: [Double]) throws {
        let width = MetricsFile.columns.count
        trainingRows = try ThinnedRows(width: width, restoring: curve.training)
        validationRows = try ThinnedRows(width: width, restoring: curve.validation)
        newest = Array(rows.suffix(width))
        newestValidated = stride(from: 0, to: rows.count, by: width).map { Array(rows[$0..<$0 + width]) }
            .first { !$0[MetricsFile.validColumn].isNaN } ?? []
    }

    mutating func keep(_ row: [Double]) {
        newest = row
        if row[MetricsFile.validColumn].isNaN { trainingRows.append(row) } else { newestValidated = row; validationRows.append(row) }
    }

    var checkpointRows: [Double] { newestValidated.isEmpty || newestValidated == newest ? newest : newestValidated + newest }

    var curve: MetricsCurve { MetricsCurve(training: trainingRows.saved, validation: validationRows.saved) }

    var plottedRows: [Double] {
        let width = MetricsFile.columns.count, all = trainingRows.rows + validationRows.rows
        return stride(from: 0, to: all.count, by: width).sorted { all[$0] < all[$1] }.flatMap { all[$0..<$0 + width] }
    }
}
