import Foundation
import Kernels
import Storage
import VRNN

/// Ancestral sampling from a trained model: `samples` independent streams of `length` steps,
/// each from the generator (seed, stream), optionally continuing a priming text.
public struct Sampler {
    public let checkpoint: LoadedCheckpoint
    /// 1 samples the model, lower is more conservative, 0 takes the mode or mean.
    public var temperature: Float
    public var length: Int
    public var samples: Int
    public var seed: UInt64

    public init(_ checkpoint: LoadedCheckpoint, temperature: Float = 1, length: Int = 1000, samples: Int = 1, seed: UInt64 = 1) {
        self.checkpoint = checkpoint; self.temperature = temperature; self.length = length; self.samples = samples; self.seed = seed
    }

    /// What was generated: token ids (text) or frames in data units (real values), per sample.
    public struct Output {
        public var tokens: [[Int32]]
        public var frames: [[Float]]
    }

    /// Samples, after reading `prime` (text models only) through the inference path; `notify`
    /// hears, before any sampling, how much of the prime was outside the vocabulary.
    public func generate(prime: String? = nil, notify: (String) -> Void = { _ in }) throws -> Output {
        let config = checkpoint.model.config
        // The generator, the prime's reader and the samples themselves (frames or tokens).
        let primed = Double(prime?.utf8.count ?? 0)
        try MemoryBudget.check(floats: WindowWorkspace.floatsNeeded(checkpoint.model, batch: samples, steps: 1)
                                   + (primed > 0 ? WindowWorkspace.floatsNeeded(checkpoint.model, batch: samples, steps: Int(primed)) : 0)
                                   + 2 * Double(samples) * Double(length) * Double(config.input == .real ? config.inputSize : 1),
                               for: "\(samples) samples of \(length) steps", lower: "--samples or --length")
        let decoding = try checkpoint.reader.decoding()
        let parameters = FloatBuffer(checkpoint.parameters)
        let generator = WindowWorkspace(model: checkpoint.model, batch: samples, steps: 1)
        var output = Output(tokens: Array(repeating: [], count: samples), frames: Array(repeating: [], count: samples))
        if let prime {
            guard case .vocabulary(let vocabulary) = decoding else { throw UserError("--prime is for text models; this one reads real values") }
            let text = try EncodedText(bytes: Data(prime.utf8), vocabulary: vocabulary, source: "--prime")
            if text.replaced > 0 {
                let known = Set(vocabulary), outside = prime.filter { $0.utf8.contains { !known.contains($0) } }.count
                notify("vrnn sample: \(outside) character\(outside == 1 ? "" : "s") of --prime (\(text.replaced) byte\(text.replaced == 1 ? "" : "s")) "
                       + "outside the vocabulary, each byte read as '?'")
            }
            read(prime: text, into: generator, parameters: parameters)
        }
        withExtendedLifetime(parameters) {
            for t in 0..<length {
                generator.generateStep(parameters: parameters.pointer, seed: seed, t: t, temperature: temperature)
                for b in 0..<samples {
                    if config.input == .categorical { output.tokens[b].append(generator.tokens[b]) } else {
                        output.frames[b] += UnsafeBufferPointer(start: generator.frames.pointer + b * config.inputSize, count: config.inputSize)
                    }
                }
            }
        }
        if case .statistics(let mean, let std) = decoding {
            output.frames = output.frames.map { Self.denormalise($0, mean: mean, std: std) }
        }
        return output
    }

    /// Text samples, each starting with the priming text.
    public func texts(prime: String? = nil) throws -> [Data] {
        guard case .vocabulary(let vocabulary) = try checkpoint.reader.decoding() else {
            throw UserError("this model reads real values, not text")
        }
        return Self.texts(try generate(prime: prime).tokens, prime: prime, vocabulary: vocabulary)
    }

    /// Token ids as the bytes they stand for, after the priming text.
    static func texts(_ tokens: [[Int32]], prime: String?, vocabulary: [UInt8]) -> [Data] {
        tokens.map { ids in Data((prime.map { Array($0.utf8) } ?? []) + ids.map { vocabulary[Int($0)] }) }
    }

    /// The model reads the priming text through its inference path (z from the encoder), so the
    /// samples continue from the state it leaves.
    private func read(prime text: EncodedText, into generator: WindowWorkspace, parameters: FloatBuffer) {
        let reader = WindowWorkspace(model: generator.model, batch: samples, steps: text.tokens.count)
        for (t, token) in text.tokens.enumerated() { for b in 0..<samples { reader.tokens[t * samples + b] = token } }
        reader.fillLatentNoise(seed: seed, step: 0, firstStream: 0, purpose: .priming)
        reader.forward(parameters: parameters.pointer, normaliser: 1)
        let state = reader.finalState()
        generator.initialH.copy(from: state.h)
        generator.initialC.copy(from: state.c)
    }

    /// Undoes a dataset's normalisation: raw = value * std + mean, per column.
    static func denormalise(_ values: [Float], mean: [Float], std: [Float]) -> [Float] {
        values.enumerated().map { $0.element * std[$0.offset % mean.count] + mean[$0.offset % mean.count] }
    }
}
