import ArgumentParser
import Foundation
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
        try output.checkWritable()
        let files = try PrepareOutput.expand(inputs, extension: "csv")
        let chosen = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        var sequences: [FrameSequence] = [], names: [String] = [], dropped = 0, filled = 0
        for file in files {
            let read = try CSVSequence.read(file, columns: chosen, missing: missing)
            if !names.isEmpty && read.header != names {
                throw UserError("\(file): columns \(read.header.joined(separator: ", ")) differ from the first file's "
                                + "\(names.joined(separator: ", ")); choose the same columns with --columns")
            }
            names = read.header
            sequences.append(read.sequence)
            dropped += read.dropped
            filled += read.filled
        }
        let note = dropped > 0 ? "; \(dropped) rows with missing values dropped" : filled > 0 ? "; \(filled) missing values interpolated" : ""
        try output.writeFrames(sequences, metadata: ["kind": "csv", "files": files.count, "columns": names, "missing": missing.rawValue,
                                                     "rows_dropped": dropped, "values_interpolated": filled], note: note)
    }
}

struct PrepareWAV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wav", abstract: "16-bit PCM mono WAV files cut into frames of D samples: one file is one sequence.")

    @Argument(help: "WAV files or folders of them.") var inputs: [String]
    @Option(help: "Samples per frame (200 in the VRNN paper).") var frame = 200
    @OptionGroup var output: PrepareOutput

    func validate() throws { guard frame >= 1 else { throw ValidationError("--frame must be at least 1 (got \(frame))") } }

    func run() throws {
        try output.checkWritable()
        let files = try PrepareOutput.expand(inputs, extension: "wav")
        var sequences: [FrameSequence] = [], rates: Set<Int> = [], dropped = 0
        for file in files {
            let read = try WAVFile.frames(file, frameSize: frame)
            sequences.append(read.sequence)
            rates.insert(read.sampleRate)
            dropped += read.droppedSamples
        }
        guard rates.count == 1 else { throw UserError("the files have different sample rates \(rates.sorted()); resample them to one") }
        try output.writeFrames(sequences, metadata: ["kind": "wav", "files": files.count, "frame": frame, "sample_rate": rates.first!,
                                                     "samples_dropped": dropped],
                               note: dropped > 0 ? "; \(dropped) trailing samples short of a frame dropped" : "")
    }
}

struct PrepareNPY: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "npy", abstract: "NumPy arrays, float32 or float64 [T, D], as real-valued sequences: one file is one sequence.")

    @Argument(help: ".npy files or folders of them.") var inputs: [String]
    @OptionGroup var output: PrepareOutput

    func run() throws {
        try output.checkWritable()
        let files = try PrepareOutput.expand(inputs, extension: "npy")
        let sequences = try files.map(NPYFile.read)
        if let other = sequences.first(where: { $0.dim != sequences[0].dim }) {
            throw UserError("the arrays have different widths (\(sequences[0].dim) and \(other.dim)); every file needs the same D")
        }
        try output.writeFrames(sequences, metadata: ["kind": "npy", "files": files.count])
    }
}

extension CSVSequence.Missing: ExpressibleByArgument {}
