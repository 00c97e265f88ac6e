import ArgumentParser
import Runs

/// The options every `vrnn prepare` kind shares: the output file, the validation fraction and --force.
struct PrepareOutput: ParsableArguments, OptionChecks {
    @Option(help: "Output dataset file.") var out: String
    @Option(name: .customLong("valid-fraction"),
            parsing: .unconditional, help: "Fraction kept for validation: the last sequences (or the end of a single sequence); default 0.1.")
    var validFraction: Double?
    @Option(name: .customLong("valid"), parsing: .upToNextOption,
            help: "Files or folders that form the validation split (instead of --valid-fraction), e.g. a dataset's own test files.")
    var valid: [String] = []
    @Flag(help: "Replace an existing output file.") var force = false

    func checkOptions() throws {
        if let validFraction, !(validFraction >= 0 && validFraction < 1) {
            throw ValidationError("--valid-fraction must be in [0, 1) (got \(validFraction))")
        }
        if validFraction != nil && !valid.isEmpty {
            throw ValidationError("--valid names the validation files and --valid-fraction cuts them from the data; choose one")
        }
    }

    var target: PreparationOutput { PreparationOutput(path: out, validFraction: validFraction ?? 0.1, validInputs: valid, force: force) }
}
