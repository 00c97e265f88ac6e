/// How a run is driven, beside what it trains: checkpoints, progress, validation, cross-rank
/// checks and what a non-finite step does. Saved in config.json with the rest of the run and
/// restored on resume, where a setting given again overrides it (and the log says so).
public struct RunControl: Codable, Equatable, Sendable {
    /// What a step whose loss, gradient norm or KL weight is not finite does: `stop` ends the run
    /// without applying it or writing a checkpoint from it; `skip` drops its update and goes on,
    /// stopping after `maxSkips` such steps in a row.
    public enum NonFinite: String, Codable, CaseIterable, Sendable { case stop, skip }

    /// A checkpoint every K steps (and always at the end and on a stop signal).
    public var checkpointEvery = 500
    /// Also a checkpoint when this many minutes have passed since the last one.
    public var checkpointMinutes: Double?
    /// The newest K checkpoints are kept.
    public var keepCheckpoints = 3
    /// A progress line every K steps.
    public var logEvery = 10
    /// The validation loss every K steps (and at the end).
    public var validEvery = 200
    /// Each validation reads at most this many windows per stream (0: the whole split), so its
    /// cost does not grow with the data.
    public var validWindows = 20
    /// Ranks compare a checksum of their parameters every K steps.
    public var checkEvery = 100
    public var onNonFinite = NonFinite.stop
    public var maxSkips = 10
    /// Stop after this many validations in a row without a new best (nil: never).
    public var earlyStop: Int?

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case checkpointEvery, checkpointMinutes, keepCheckpoints, logEvery, validEvery, validWindows, checkEvery, onNonFinite, maxSkips, earlyStop
    }

    /// Configurations written before a field existed read it as its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RunControl()
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? d.checkpointEvery
        checkpointMinutes = try c.decodeIfPresent(Double.self, forKey: .checkpointMinutes)
        keepCheckpoints = try c.decodeIfPresent(Int.self, forKey: .keepCheckpoints) ?? d.keepCheckpoints
        logEvery = try c.decodeIfPresent(Int.self, forKey: .logEvery) ?? d.logEvery
        validEvery = try c.decodeIfPresent(Int.self, forKey: .validEvery) ?? d.validEvery
        validWindows = try c.decodeIfPresent(Int.self, forKey: .validWindows) ?? d.validWindows
        checkEvery = try c.decodeIfPresent(Int.self, forKey: .checkEvery) ?? d.checkEvery
        onNonFinite = try c.decodeIfPresent(NonFinite.self, forKey: .onNonFinite) ?? d.onNonFinite
        maxSkips = try c.decodeIfPresent(Int.self, forKey: .maxSkips) ?? d.maxSkips
        earlyStop = try c.decodeIfPresent(Int.self, forKey: .earlyStop)
    }
}
