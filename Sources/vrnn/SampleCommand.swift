import ArgumentParser
import Foundation
import Kernels
import Storage
import VRNN

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate from a trained model: text, or real-valued sequences as CSV or NPY.")

    @Option(help: "A checkpoint file, or a run folder (its latest checkpoint).") var checkpoint: String
    @Option(help: "Sampling temperature: 1 samples the model, lower is more conservative, 0 takes the mode or mean.")
    var temperature: Float = 1
    @Option(help: "Steps to generate (characters for text).") var length = 1000
    @Option(help: "Text the samples continue (text models only); the model reads it first.") var prime: String?
    @Option(help: "How many independent samples.") var samples = 1
    @Option(help: "Seed of the sampling noise.") var seed: UInt64 = 1
    @Option(help: "Output file (default: standard output). Real-valued samples: .csv or .npy.") var out: String?
    @Flag(help: "Replace an existing output file.") var force = false

    func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more (got \(temperature))") }
        guard length >= 1 else { throw ValidationError("--length must be at least 1 (got \(length))") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        if let prime, prime.isEmpty { throw ValidationError("--prime needs some text") }
    }

    func run() throws {
        if let out, !force, FileManager.default.fileExists(atPath: out) { throw UserError("\(out) already exists; pass --force to replace it") }
        let loaded = try LoadedCheckpoint(checkpoint)
        let decoding = try loaded.reader.decoding()
        let parameters = FloatBuffer(loaded.parameters)
        let generator = WindowWorkspace(model: loaded.model, batch: samples, steps: 1)
        let config = loaded.model.config
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
            let raw = frames.map { f in f.enumerated().map { $0.element * std[$0.offset % d] + mean[$0.offset % d] } }
            try emit(out?.lowercased().hasSuffix(".npy") == true ? NPYWriter.data(raw.flatMap { $0 }, shape: [samples, length, d])
                     : Data(Self.csv(raw, dim: d).utf8))
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
