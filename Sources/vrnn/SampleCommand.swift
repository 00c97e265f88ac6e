import ArgumentParser
import Foundation
import Kernels
import Pen
import Storage
import VRNN

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate from a trained model: text, real-valued sequences (CSV, NPY), audio (WAV) or pen drawings (SVG).",
        discussion: """
            The output's extension picks the form: .csv or .npy for any real-valued model, .wav for a model of \
            `vrnn prepare wav` data (the frames joined into one waveform per sample, with a short silence between \
            samples), .svg for a pen model (strokes drawn with pen-up respected, coloured by the shape classifier; \
            the first 12 samples are drawn, and for the built-in tasks the shapes and transitions of all samples are \
            counted against the task's true probabilities). \
            With --reconstruct DATASET an SVG also shows a validation sequence and the model's reconstruction of it \
            along the inference path (z = mu_q, the decoder's mean).
            """)

    @Option(help: "A checkpoint file, or a run folder (its latest checkpoint).") var checkpoint: String
    @Option(help: "Sampling temperature: 1 samples the model, lower is more conservative, 0 takes the mode or mean.")
    var temperature: Float = 1
    @Option(help: "Steps to generate (characters for text).") var length = 1000
    @Option(help: "Text the samples continue (text models only); the model reads it first.") var prime: String?
    @Option(help: "How many independent samples.") var samples = 1
    @Option(help: "Seed of the sampling noise.") var seed: UInt64 = 1
    @Option(help: "Output file (default: standard output). Real-valued samples: .csv, .npy, .wav or .svg.") var out: String?
    @Option(help: "SVG only: a dataset whose validation sequence is drawn with the model's reconstruction beside the samples.")
    var reconstruct: String?
    @Option(help: "Which validation sequence --reconstruct draws (0-based).") var sequence = 0
    @Flag(help: "Replace an existing output file.") var force = false

    func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more (got \(temperature))") }
        guard length >= 1 else { throw ValidationError("--length must be at least 1 (got \(length))") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        if let prime, prime.isEmpty { throw ValidationError("--prime needs some text") }
        if reconstruct != nil && outputKind != "svg" { throw ValidationError("--reconstruct draws into an SVG; give --out FILE.svg") }
        guard sequence >= 0 else { throw ValidationError("--sequence must be 0 or more (got \(sequence))") }
    }

    /// The output's extension, lower-cased ("" for standard output).
    var outputKind: String { out.map { URL(fileURLWithPath: $0).pathExtension.lowercased() } ?? "" }

    func run() throws {
        if let out { try refuseToOverwrite(out, force: force) }
        let loaded = try LoadedCheckpoint(checkpoint)
        let decoding = try loaded.reader.decoding()
        let config = loaded.model.config
        let metadata = DatasetMetadata(loaded.reader.dataMetadata)
        let sampleRate = try checkOutput(config, metadata)
        let parameters = FloatBuffer(loaded.parameters)
        // Read --reconstruct's dataset before sampling, so a wrong path costs nothing.
        let reconstructed = try reconstruct.map { path -> [(String, PenDrawing)] in
            guard case .statistics(let mean, let std) = decoding else { throw UserError("--reconstruct is for pen models") }
            return try reconstruction(of: path, loaded: loaded, parameters: parameters, mean: mean, std: std)
        } ?? []
        let generator = WindowWorkspace(model: loaded.model, batch: samples, steps: 1)
        if let prime {
            guard case .vocabulary(let vocabulary) = decoding else { throw UserError("--prime is for text models; this one reads real values") }
            try read(prime: prime, vocabulary: vocabulary, into: generator, parameters: parameters)
        }
        var tokens: [[Int32]] = Array(repeating: [], count: samples)
        var frames: [[Float]] = Array(repeating: [], count: samples)
        for t in 0..<length {
            generator.generateStep(parameters: parameters.pointer, seed: seed, t: t, temperature: temperature)
            for b in 0..<samples {
                if config.input == .categorical { tokens[b].append(generator.tokens[b]) } else {
                    frames[b] += UnsafeBufferPointer(start: generator.frames.pointer + b * config.inputSize, count: config.inputSize)
                }
            }
        }
        switch decoding {
        case .vocabulary(let vocabulary):
            let texts = tokens.map { ids in Data((prime.map { Array($0.utf8) } ?? []) + ids.map { vocabulary[Int($0)] }) }
            let separator = Data("\n\n----- sample -----\n\n".utf8)
            try emit(texts.dropFirst().reduce(texts[0]) { $0 + separator + $1 })
        case .statistics(let mean, let std):
            // Undo the dataset's normalisation: raw = value * std + mean.
            let d = config.inputSize
            let raw = frames.map { Self.denormalise($0, mean: mean, std: std) }
            switch outputKind {
            case "npy": try emit(NPYWriter.data(raw.flatMap { $0 }, shape: [samples, length, d]))
            case "wav": try emit(Self.waveform(raw, sampleRate: sampleRate!))
            case "svg":
                let drawings = raw.map(PenDrawing.init(frames:))
                let rows = reconstructed + drawings.prefix(Self.drawnSamples).enumerated().map {
                    ("sample \($0.offset + 1) of \(samples) (temperature \(temperature), seed \(seed))", $0.element)
                }
                try emit(Data(PenSVG.render(rows).utf8))
                if let task = metadata.task {
                    print("shapes in the \(samples) sample\(samples == 1 ? "" : "s") (\(task.rawValue) task), by the stroke classifier:\n"
                          + PatternCounts(drawings).report(task))
                }
            default: try emit(Data(Self.csv(raw, dim: d).utf8))
            }
        }
        if let out { FileHandle.standardError.write(Data("vrnn sample: \(samples) sample\(samples == 1 ? "" : "s") of \(length) steps from step \(loaded.reader.step) of \(loaded.path) in \(out)\n".utf8)) }
    }

    /// The model reads the priming text through its inference path (z from the encoder), so the
    /// samples continue from the state it leaves.
    func read(prime: String, vocabulary: [UInt8], into generator: WindowWorkspace, parameters: FloatBuffer) throws {
        let text = EncodedText(bytes: Data(prime.utf8), vocabulary: vocabulary)
        if text.replaced > 0 { FileHandle.standardError.write(Data("vrnn sample: \(text.replaced) characters of --prime are outside the vocabulary and read as '?'\n".utf8)) }
        let reader = WindowWorkspace(model: generator.model, batch: samples, steps: text.tokens.count)
        for (t, token) in text.tokens.enumerated() { for b in 0..<samples { reader.tokens[t * samples + b] = token } }
        reader.fillLatentNoise(seed: seed, step: 0, firstStream: 0, purpose: .priming)
        reader.forward(parameters: parameters.pointer, normaliser: 1)
        let state = reader.finalState()
        generator.initialH.copy(from: state.h)
        generator.initialC.copy(from: state.c)
    }

    /// An SVG draws at most this many samples (the shape report covers all of them).
    static let drawnSamples = 12

    static func denormalise(_ values: [Float], mean: [Float], std: [Float]) -> [Float] {
        values.enumerated().map { $0.element * std[$0.offset % mean.count] + mean[$0.offset % mean.count] }
    }

    /// Refuses, before any sampling, an output form the model cannot fill; returns the sample
    /// rate for WAV output.
    func checkOutput(_ config: ModelConfig, _ metadata: DatasetMetadata) throws -> Int? {
        let kind = outputKind
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
    func reconstruction(of path: String, loaded: LoadedCheckpoint, parameters: FloatBuffer, mean: [Float], std: [Float]) throws
        -> [(String, PenDrawing)] {
        let dataset = try SequenceDataset(readingAt: path)
        _ = try loaded.checkEncoding(of: dataset, path: path)
        let split = dataset.valid.isEmpty ? dataset.train : dataset.valid
        guard sequence < split.count else { throw UserError("--sequence \(sequence): \(path) has \(split.count) validation sequences") }
        let index = split.lowerBound + sequence
        guard case .frames(let values, let d, _, _) = dataset.values, d == loaded.model.config.inputSize else {
            throw UserError("\(path) does not hold frames of \(loaded.model.config.inputSize) values like the model's data")
        }
        let rows = Int(dataset.offsets[index])..<Int(dataset.offsets[index + 1])
        let reader = WindowWorkspace(model: loaded.model, batch: 1, steps: rows.count)
        reader.frames.copy(from: Array(values[rows.lowerBound * d..<rows.upperBound * d]))
        reader.forward(parameters: parameters.pointer, normaliser: 1)
        let decoded = FloatBuffer(count: rows.count * d)
        reader.decodedMeans(into: decoded.pointer)
        let name = "\(split == dataset.valid ? "validation" : "training") sequence \(sequence) of \(URL(fileURLWithPath: path).lastPathComponent)"
        return [("data: " + name, PenDrawing(frames: Self.denormalise(reader.frames.array, mean: mean, std: std))),
                ("reconstruction: z = mu_q, decoder mean", PenDrawing(frames: Self.denormalise(decoded.array, mean: mean, std: std)))]
    }

    func emit(_ data: Data) throws {
        guard let out else {
            FileHandle.standardOutput.write(data)
            if data.last != 10 { FileHandle.standardOutput.write(Data("\n".utf8)) }
            return
        }
        try AtomicFile.write(data, to: out)
    }

    /// sample,t,x0,x1,... one row per step.
    static func csv(_ samples: [[Float]], dim: Int) -> String {
        var lines = ["sample,t," + (0..<dim).map { "x\($0)" }.joined(separator: ",")]
        for (s, values) in samples.enumerated() {
            for t in 0..<values.count / dim {
                lines.append("\(s),\(t)," + values[t * dim..<(t + 1) * dim].map { String(format: "%.6g", $0) }.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
