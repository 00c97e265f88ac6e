import ArgumentParser
import Runs
import Storage

struct PrepareCSV: ParsableCommand, OptionChecks {
    static let configuration = CommandConfiguration(
        commandName: "csv", abstract: "CSV files as real-valued sequences: one file is one sequence, a folder many.")

    @Argument(help: "CSV files or folders of them.") var inputs: [String]
    @Option(help: "Columns to use, by header name or 0-based index, comma-separated (default: every column holding numbers).")
    var columns: String?
    @Option(name: .customLong("raw-columns"),
            help: "Columns to keep unnormalised, comma-separated (columns holding only 0 and 1 always are: Bernoulli and pen-up targets).")
    var rawColumns: String?
    @Option(help: "Missing values (empty, NA, NaN): refuse, drop (the rows) or interpolate (linearly).")
    var missing: CSVSequence.Missing = .refuse
    @Option(help: "The character between fields: ',' (default), ';', 'tab' or any other single character.") var delimiter = ","
    @OptionGroup var output: PrepareOutput

    func checkOptions() throws {
        guard separator != nil else { throw ValidationError("--delimiter must be one character or 'tab' (got \(delimiter))") }
    }

    /// The --delimiter as one character.
    var separator: UnicodeScalar? {
        if delimiter == "tab" { return "\t" }
        let scalars = Array(delimiter.unicodeScalars)
        return scalars.count == 1 && scalars[0] != "\"" && scalars[0] != "\n" ? scalars[0] : nil
    }

    func run() throws {
        func list(_ text: String?) -> [String]? {
            text.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        print(try DatasetPreparation.csv(inputs, columns: list(columns), rawColumns: list(rawColumns), missing: missing, delimiter: separator!,
                                         output: output.target))
    }
}

struct PrepareWAV: ParsableCommand, OptionChecks {
    static let configuration = CommandConfiguration(
        commandName: "wav",
        abstract: "Audio files (WAV, FLAC, AIFF, Ogg, ...; any sample width, float too) cut into frames of D samples: one file is one sequence.",
        aliases: ["audio"])

    @Argument(help: "Audio files or folders of them.") var inputs: [String]
    @Option(parsing: .unconditional, help: "Samples per frame (200 in the VRNN paper).") var frame = 200
    @Option(parsing: .unconditional, help: "The channel to use, 0-based (default: all channels mixed down to one).") var channel: Int?
    @Option(help: "Normalisation: global (one mean and standard deviation for the waveform, as the VRNN paper) or per-position (each position in the frame, or each CSV column, on its own).")
    var normalise: FrameScaling = .global
    @Option(name: .customLong("raw-rate"), parsing: .unconditional, help: "Headerless PCM: its sample rate (with --raw-format).") var rawRate: Int?
    @Option(name: .customLong("raw-format"), help: "Headerless PCM: its samples, \(AudioFile.RawFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var rawFormat: AudioFile.RawFormat?
    @Option(name: .customLong("raw-channels"), parsing: .unconditional, help: "Headerless PCM: interleaved channels (default 1).") var rawChannels = 1
    @OptionGroup var output: PrepareOutput

    func checkOptions() throws {
        guard frame >= 1 else { throw ValidationError("--frame must be at least 1 (got \(frame))") }
        if let channel, channel < 0 { throw ValidationError("--channel must be 0 or more (got \(channel))") }
        if (rawRate == nil) != (rawFormat == nil) { throw ValidationError("headerless PCM needs both --raw-rate and --raw-format") }
        if let rawRate, rawRate < 1 { throw ValidationError("--raw-rate must be at least 1 (got \(rawRate))") }
        guard rawChannels >= 1 else { throw ValidationError("--raw-channels must be at least 1 (got \(rawChannels))") }
    }

    func run() throws {
        let raw = rawFormat.map { AudioFile.Raw(format: $0, sampleRate: rawRate!, channels: rawChannels) }
        print(try DatasetPreparation.audio(inputs, frame: frame, channel: channel, raw: raw, scaling: normalise, output: output.target))
    }
}

struct PrepareNPY: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "npy", abstract: "NumPy arrays, float32 or float64 [T, D], as real-valued sequences: one file is one sequence.")

    @Argument(help: ".npy files or folders of them.") var inputs: [String]
    @Option(name: .customLong("raw-columns"),
            help: "0-based columns to keep unnormalised, comma-separated (columns holding only 0 and 1 always are).")
    var rawColumns: String?
    @OptionGroup var output: PrepareOutput

    func run() throws {
        let raw = rawColumns.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        if raw?.contains("") == true { throw ValidationError("--raw-columns names an empty column; give 0-based indices, comma-separated (e.g. --raw-columns 2)") }
        print(try DatasetPreparation.npy(inputs, rawColumns: raw ?? [], output: output.target))
    }
}

extension CSVSequence.Missing: ExpressibleByArgument {}
extension FrameScaling: ExpressibleByArgument {}
extension AudioFile.RawFormat: ExpressibleByArgument {}
