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

    mutating func append(_ row: [Double]) {
        defer { arrived += 1 }
        guard arrived % spacing == 0 else { newest = row; return }
        newest = []
        kept += row
        if kept.count / width >= 2 * limit {
            kept = stride(from: 0, to: kept.count, by: 2 * width).flatMap { kept[$0..<$0 + width] }
            spacing *= 2
        }
    }

    /// The kept rows and the newest one, in order.
    var rows: [Double] { kept + newest }
}
