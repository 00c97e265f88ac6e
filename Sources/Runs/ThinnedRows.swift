import Storage

/// Rows of a metrics series kept at bounded cost however long the run: every row until there
/// are twice `limit`, then every second one of those and of the new ones, and so on, so the rows
/// kept stay evenly spread over the run. The newest row is always included.
struct ThinnedRows {
    let width: Int
    let limit: Int
    /// Kept rows, [rows * width] row-major.
    private var kept: [Double] = []
    /// Rows arriving are kept one in `spacing`.
    private var spacing = 1
    private var arrived = 0
    /// The newest row when it was not kept.
    private var newest: [Double] = []

    /// 500 rows per series are plenty for a chart 760 points wide, and cheap to redraw at every
    /// checkpoint.
    init(width: Int, limit: Int = 500) { self.width = width; self.limit = limit }

    /// Continues the thinning a checkpoint saved (`series` as `saved` gave it).
    init(width: Int, limit: Int = 500, restoring series: MetricsCurve.Series) throws {
        self.init(width: width, limit: limit)
        let rows = series.rows.count / width
        guard series.rows.count % width == 0, series.spacing >= 1, series.spacing.nonzeroBitCount == 1,
              series.arrived >= rows, rows <= 2 * limit + 1 else {
            throw UserError("the checkpoint's loss-curve rows are inconsistent (\(rows) rows, spacing \(series.spacing), "
                            + "\(series.arrived) arrived); the file is damaged")
        }
        spacing = series.spacing
        arrived = series.arrived
        kept = series.rows
        // The newest row was kept when it arrived on the spacing; otherwise it is the extra last row.
        if arrived > 0 && (arrived - 1) % spacing != 0 && rows > 0 {
            newest = Array(kept.suffix(width))
            kept.removeLast(width)
        }
    }

    mutating func append(_ row: [Double]) {
        defer { arrived += 1 }
        newest = row
        guard arrived % spacing == 0 else { return }
        kept += row
        if kept.count / width >= 2 * limit {
            // Keeps rows 0, 2, 4, ...: the row just added (an odd one) stays only as the newest.
            kept = stride(from: 0, to: kept.count, by: 2 * width).flatMap { kept[$0..<$0 + width] }
            spacing *= 2
        } else {
            newest = []
        }
    }

    /// The kept rows and the newest one, in order.
    var rows: [Double] { kept + newest }

    /// What a checkpoint keeps to continue the series.
    var saved: MetricsCurve.Series { MetricsCurve.Series(rows: rows, spacing: spacing, arrived: arrived) }
}
