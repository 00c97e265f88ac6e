import ArgumentParser
import Foundation
import Kernels
import Storage

/// A built-in real-valued dataset made in code (no download): many 2-D sequences of different
/// lengths, each a Lissajous-like curve x_t = (a sin(w t + p), a cos(2 w t + q)) with Gaussian
/// jitter, frequency, amplitude and phases drawn per sequence. Deterministic from --seed. (The
/// pen-trajectory tasks of the modelling issue will replace it as the default.)
struct PrepareSynthetic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic", abstract: "Generate the built-in 2-D sequence dataset (deterministic from --seed).")

    @Option(help: "Number of sequences.") var sequences = 400
    @Option(name: .customLong("min-length"), help: "Shortest sequence.") var minLength = 60
    @Option(name: .customLong("max-length"), help: "Longest sequence.") var maxLength = 160
    @Option(help: "Standard deviation of the jitter.") var jitter: Float = 0.02
    @Option(help: "Seed of every random number.") var seed: UInt64 = 1
    @OptionGroup var output: PrepareOutput

    func validate() throws {
        guard sequences >= 2 else { throw ValidationError("--sequences must be at least 2 (got \(sequences))") }
        guard minLength >= 2, maxLength >= minLength else { throw ValidationError("need 2 <= --min-length <= --max-length") }
        guard jitter >= 0 else { throw ValidationError("--jitter must be non-negative") }
    }

    func run() throws {
        try output.checkWritable()
        var made: [FrameSequence] = []
        let u = FloatBuffer(count: 5), noise = FloatBuffer(count: 2 * maxLength)
        for s in 0..<sequences {
            let random = CounterRandom(seed: seed, stream: UInt64(s))
            random.fillUniform(u.pointer, count: 5, step: 0, t: 0, purpose: 0)
            let length = minLength + Int(u[0] * Float(maxLength - minLength + 1)) % (maxLength - minLength + 1)
            let w = 0.05 + 0.25 * u[1], a = 0.5 + u[2], p = 2 * Float.pi * u[3], q = 2 * Float.pi * u[4]
            random.fillNormal(noise.pointer, count: 2 * length, step: 1, t: 0, purpose: 0)
            var frames: [Float] = []
            for t in 0..<length {
                frames.append(a * sinf(w * Float(t) + p) + jitter * noise[2 * t])
                frames.append(a * cosf(2 * w * Float(t) + q) + jitter * noise[2 * t + 1])
            }
            made.append(FrameSequence(values: frames, dim: 2))
        }
        try output.writeFrames(made, metadata: ["kind": "synthetic", "generator": "lissajous", "sequences": sequences,
                                                     "seed": seed, "jitter": jitter])
    }
}
