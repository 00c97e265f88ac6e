import Drawing
import Foundation
import Kernels
import Pen
import Storage
import Training
import VRNN

/// `vrnn sample`: samples written in the form the output's extension names (text; .csv or .npy
/// for any real-valued model; .wav for audio; .svg drawings for pen models, optionally beside a
/// validation sequence and its reconstruction).
public enum Sampling {
    public struct Request {
        public var checkpoint: String
        public var sampler: (LoadedCheckpoint) -> Sampler
        public var prime: String?
        /// Output file; nil writes to standard output.
        public var out: String?
        /// SVG only: a dataset whose validation sequence `sequence` is drawn with its reconstruction.
        public var reconstruct: String?
        public var sequence = 0
        public var force = false
        /// Hears the notes for standard error as they come (the prime's unknown characters
        /// before sampling, where the samples went after).
        public var notify: (String) -> Void = { _ in }

        public init(checkpoint: String, out: String?, sampler: @escaping (LoadedCheckpoint) -> Sampler) {
            self.checkpoint = checkpoint; self.out = out; self.sampler = sampler
        }

        /// The output's extension, lower-cased ("" for standard output).
        public var outputKind: String { out.map { URL(fileURLWithPath: $0).pathExtension.lowercased() } ?? "" }
    }

    /// What to print on standard output: the samples when there is no output file, or the shape
    /// report of pen samples.
    public struct Result {
        public var standardOutput = Data()
    }

    /// An SVG draws at most this many samples (the shape report covers all of them).
    static let drawnSamples = 12

    public static func run(_ request: Request) throws -> Result {
        try KernelPath.agree(SingleProcess())
        let loaded = try LoadedCheckpoint(request.checkpoint)
        if let out = request.out {
            try OutputGuard.check(out, inputs: [loaded.path] + (request.reconstruct.map { [$0] } ?? []), force: request.force)
        }
        let sampler = request.sampler(loaded)
        let metadata = DatasetMetadata(loaded.reader.dataMetadata)
        let sampleRate = try checkOutput(request.outputKind, loaded.model.config, metadata)
        // Read --reconstruct's dataset before sampling, so a wrong path costs nothing.
        let reconstructed = try request.reconstruct.map { try reconstruction(of: $0, sequence: request.sequence, loaded: loaded) } ?? []
        let generated = try sampler.generate(prime: request.prime, notify: request.notify)
        var result = Result()
        let samples = sampler.samples, d = loaded.model.config.inputSize
        let written: Data
        switch try loaded.reader.decoding() {
        case .vocabulary(let vocabulary):
            let texts = Sampler.texts(generated.tokens, prime: request.prime, vocabulary: vocabulary)
            let separator = Data("\n\n----- sample -----\n\n".utf8)
            written = texts.dropFirst().reduce(texts[0]) { $0 + separator + $1 }
        case .statistics:
            let raw = generated.frames
            switch request.outputKind {
            case "npy": written = NPYWriter.data(raw.flatMap { $0 }, shape: [samples, sampler.length, d])
            case "wav": written = waveform(raw, sampleRate: sampleRate!)
            case "svg":
                let drawings = raw.map(PenDrawing.init(frames:))
                let rows = reconstructed + drawings.prefix(drawnSamples).enumerated().map {
                    ("sample \($0.offset + 1) of \(samples) (temperature \(sampler.temperature), seed \(sampler.seed))", $0.element)
                }
                written = Data(PenSVG.render(rows).utf8)
                if let task = metadata.task {
                    result.standardOutput = Data(("shapes in the \(samples) sample\(samples == 1 ? "" : "s") (\(task.rawValue) task), "
                                                  + "by the stroke classifier:\n" + PatternCounts(drawings).report(task) + "\n").utf8)
                }
            default: written = Data(csv(raw, columns: metadata.columns(count: d)).utf8)
            }
        }
        if let out = request.out {
            try AtomicFile.write(written, to: out)
            let columns = request.outputKind == "npy" && loaded.model.config.input == .real
                ? " (its last axis: \(metadata.columns(count: d).joined(separator: ", ")))" : ""
            request.notify("vrnn sample: \(samples) sample\(samples == 1 ? "" : "s") of \(sampler.length) steps from step "
                           + "\(loaded.reader.step) of \(loaded.path) in \(out)\(columns)")
        } else {
            result.standardOutput = written + (written.last != 10 ? Data("\n".utf8) : Data())
        }
        return result
    }

    /// Refuses, before any sampling, an output form the model cannot fill; returns the sample
    /// rate for WAV output.
    static func checkOutput(_ kind: String, _ config: ModelConfig, _ metadata: DatasetMetadata) throws -> Int? {
        if config.input == .categorical && ["npy", "wav", "svg"].contains(kind) {
            throw UserError("a text model writes text; give --out FILE.txt or no --out (standard output)")
        }
        if kind == "svg" && config.head != .pen {
            throw UserError("SVG drawings are for pen models (head pen, from `vrnn prepare synthetic`); this model's head is \(config.head.rawValue): write .csv or .npy")
        }
        guard kind == "wav" else { return nil }
        guard let rate = metadata.sampleRate else {
            throw UserError("WAV output is for models of audio prepared with `vrnn prepare wav`; this checkpoint's data has no sample rate: write .csv or .npy")
        }
        return rate
    }

    /// The samples joined into one 16-bit waveform at the training data's sample rate, a quarter
    /// second of silence between samples.
    static func waveform(_ samples: [[Float]], sampleRate rate: Int) -> Data {
        let silence = [Float](repeating: 0, count: rate / 4)
        return WAVFile.encode(samples.dropFirst().reduce(samples[0]) { $0 + silence + $1 }, sampleRate: rate)
    }

    /// The validation sequence `sequence` of `path` and its reconstruction along the inference
    /// path (z = mu_q, the decoder's mean at every step), both in raw units.
    static func reconstruction(of path: String, sequence: Int, loaded: LoadedCheckpoint) throws -> [(String, PenDrawing)] {
        guard case .statistics(let mean, let std) = try loaded.reader.decoding() else { throw UserError("--reconstruct is for pen models") }
        let dataset = try SequenceDataset(readingAt: path)
        _ = try loaded.checkEncoding(of: dataset.kind, path: path)
        let split = dataset.valid.isEmpty ? dataset.train : dataset.valid
        guard sequence < split.count else { throw UserError("--sequence \(sequence): \(path) has \(split.count) validation sequences") }
        let index = split.lowerBound + sequence
        guard case .frames(let values, let d, _, _) = dataset.values, d == loaded.model.config.inputSize else {
            throw UserError("\(path) does not hold frames of \(loaded.model.config.inputSize) values like the model's data")
        }
        let rows = Int(dataset.offsets[index])..<Int(dataset.offsets[index + 1])
        let reader = WindowWorkspace(model: loaded.model, batch: 1, steps: rows.count)
        reader.frames.copy(from: Array(values[rows.lowerBound * d..<rows.upperBound * d]))
        let parameters = FloatBuffer(loaded.parameters)
        _ = withExtendedLifetime(parameters) { reader.forward(parameters: parameters.pointer, normaliser: 1) }
        let decoded = FloatBuffer(count: rows.count * d)
        reader.decodedMeans(into: decoded.pointer)
        let name = "\(split == dataset.valid ? "validation" : "training") sequence \(sequence) of \(URL(fileURLWithPath: path).lastPathComponent)"
        return [("data: " + name, PenDrawing(frames: Sampler.denormalise(reader.frames.array, mean: mean, std: std))),
                ("reconstruction: z = mu_q, decoder mean", PenDrawing(frames: Sampler.denormalise(decoded.array, mean: mean, std: std)))]
    }

    /// sample,t, then the data's column names: one row per step.
    static func csv(_ samples: [[Float]], columns: [String]) -> String {
        let dim = columns.count
        var lines = ["sample,t," + columns.map(csvField).joined(separator: ",")]
        for (s, values) in samples.enumerated() {
            for t in 0..<values.count / dim {
                lines.append("\(s),\(t)," + values[t * dim..<(t + 1) * dim].map { String(format: "%.6g", $0) }.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
