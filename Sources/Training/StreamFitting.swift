/// G and T chosen to fit the data (`--preset auto`): every stream must get at least one window
/// (SequenceStreams). From the preset's G and T, the window shrinks first, to the rows each
/// stream gets but not below `shortestWindow`; then G halves (staying a multiple of the ranks);
/// the window goes below `shortestWindow` only when G has reached one stream per rank.
extension TrainingConfig {
    public static let shortestWindow = 16

    /// This configuration with G and T fitted to sequences ending at `offsets` on `ranks` ranks,
    /// and one line saying what was chosen and why (nil when the preset's G and T already fit).
    public func fittingStreams(offsets: [Int], ranks: Int) -> (config: TrainingConfig, note: String?) {
        let rows = offsets.last! - offsets[0]
        func fits(_ g: Int, _ t: Int) -> Bool { (try? SequenceStreams(offsets: offsets, globalStreams: g, window: t, ranks: ranks)) != nil }
        var g = max(globalBatch / ranks, 1) * ranks, t = window
        if g == globalBatch && fits(g, t) { return (self, nil) }
        while !fits(g, t) {
            let perStream = rows / g
            if t > Self.shortestWindow && perStream >= 1 {
                t = max(Self.shortestWindow, min(t - 1, perStream))
            } else if g > ranks {
                g = max(g / 2 / ranks, 1) * ranks
            } else if t > 1 && perStream >= 1 {
                t = min(t - 1, perStream)
            } else {
                return (self, nil)   // not even one row per stream: SequenceStreams says so
            }
        }
        var fitted = self
        fitted.globalBatch = g
        fitted.window = t
        return (fitted, "--preset auto chose G=\(g) T=\(t) (the preset's G=\(globalBatch) T=\(window) do not fit the training split's \(rows) rows"
                + "\(ranks > 1 ? " on \(ranks) ranks" : ""); --global-batch and --window set them yourself)")
    }
}
