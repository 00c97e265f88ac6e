/// The run's best validation so far: its step and loss, and how many validations have come
/// since without beating it (what `--early-stop` counts). Checkpoints carry it, so a resumed run
/// keeps choosing its best checkpoint and stopping early exactly as an uninterrupted one.
public struct BestValidation: Equatable, Sendable {
    public var step: Int
    public var loss: Double
    public var validationsSince: Int

    public init(step: Int, loss: Double, validationsSince: Int = 0) {
        self.step = step; self.loss = loss; self.validationsSince = validationsSince
    }

    /// The record after a validation at `step` measured `loss`, and whether that is a new best
    /// (strictly lower; a non-finite loss never is).
    public static func after(_ record: BestValidation?, step: Int, loss: Double) -> (record: BestValidation?, improved: Bool) {
        guard loss.isFinite else { return (record.map { BestValidation(step: $0.step, loss: $0.loss, validationsSince: $0.validationsSince + 1) }, false) }
        guard let record, loss >= record.loss else { return (BestValidation(step: step, loss: loss), true) }
        return (BestValidation(step: record.step, loss: record.loss, validationsSince: record.validationsSince + 1), false)
    }

    /// Root attributes of a checkpoint: `best_step`, `best_valid_loss`, `validations_since_best`.
    func write(_ writer: HDF5Writer) throws {
        try writer.setAttribute("best_step", Int64(step))
        try writer.setAttribute("best_valid_loss", loss)
        try writer.setAttribute("validations_since_best", Int64(validationsSince))
    }

    /// The record a checkpoint carries (nil: none yet, or a file that predates it).
    static func read(from file: HDF5File) throws -> BestValidation? {
        guard let step = try? file.doubleAttribute("best_step") else { return nil }
        return BestValidation(step: try CheckpointReader.wholeNumber(step, "best_step", file),
                              loss: try file.doubleAttribute("best_valid_loss"),
                              validationsSince: try CheckpointReader.wholeNumber(try file.doubleAttribute("validations_since_best"),
                                                                                 "validations_since_best", file))
    }
}
