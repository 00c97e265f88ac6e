import ArgumentParser
import Runs
import Storage

struct PrepareCSV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv", abstract: "CSV files as real-valued sequences: one file is one sequence, a folder many.")

    @Argument(help: "CSV files or folders of them.") var inputs: [String]
    @Option(help: "Columns to use, by header name or 0-based index, comma-separated (default: all).") var columns: String?
    @Option(help: "Missing values (empty, NA, NaN): refuse, drop (the rows) or interpolate (linearly).")
    var missing: CSVSequence.Missing = .refuse
    @OptionGroup var output: PrepareOutput

    func run() throws {
        let chosen = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        print(try DatasetPreparation.csv(inputs, columns: chosen, missing: missing, output: output.target))
    }
}

struct PrepareWAV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wav", abstract: "16-bit PCM mono WAV files cut into frames of D samples: one file is one sequence.")

    @Argument(help: "WAV files or folders of them.") var inputs: [String]
    @Option(parsing: .unconditional, help: "Samples per frame (200 in the VRNN paper).") var frame = 200
    @OptionGroup var output: PrepareOutput

    func validate() throws { guard frame >= 1 else { throw ValidationError("--frame must be at least 1 (got \(frame))") } }

    func run() throws {
        print(try DatasetPreparation.wav(inputs, frame: frame, output: output.target))
    }
}

struct PrepareNPY: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "npy", abstract: "NumPy arrays, float32 or float64 [T, D], as real-valued sequences: one file is one sequence.")

    @Argument(help: ".npy files or folders of them.") var inputs: [String]
    @OptionGroup var output: PrepareOutput

    func run() throws {
        print(try DatasetPreparation.npy(inputs, output: output.target))
    }
}

extension CSVSequence.Missing: ExpressibleByArgument {}
