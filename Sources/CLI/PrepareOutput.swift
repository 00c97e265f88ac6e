import ArgumentParser
import Runs

/// The options every `vrnn prepare` kind shares: the output file, the validation fraction and --force.
struct PrepareOutput: ParsableArguments {
    @Option(help: "Output dataset file.") var out: String
    @Option(name: .customLong("valid-fraction"),
            parsing: .unconditional, help: "Fraction kept for validation: the last sequences (or the end of a single sequence).")
    var validFraction = 0.1
    @Flag(help: "Replace an existing output file.") var force = false

    func validate() throws {
        guard validFraction >= 0, validFraction < 1 else {
            throw ValidationError("--valid-fraction must be in [0, 1) (got \(validFraction))")
        }
    }

    var target: PreparationOutput { PreparationOutput(path: out, validFraction: validFraction, force: force) }
}
