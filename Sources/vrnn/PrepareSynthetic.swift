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

    @Option(help: "Output dataset file.") var out: String
    @Option(help: "Number of sequences.") var sequences = 400
    @Option(name: .customLong("min-length"), help: "Shortest sequence.") var minLength = 60
    @Option(name: .customLong("max-length"), help: "Longest sequence.") var maxLength = 160
    @Option(help: "Standard deviation of the jitter.") var jitter: Float = 0.02
    @Option(name: .customLong("valid-fraction"), help: "Fraction of the sequences (the last ones) kept for validation.")
    var validFraction = 0.1
    @Option(help: "Seed of every random number.") var seed: UInt64 = 1
    @Flag(help: "Replace an existing output file.") var force = false

    func validate() throws {
        guard sequences >= 2 else { throw ValidationError("--sequences must be at least 2 (got \(sequences))") }
        guard minLength >= 2, maxLength >= minLength else { throw ValidationError("need 2 <= --min-length <= --max-length") }
        guard validFraction >= 0, validFraction < 1 else { throw ValidationError("--valid-fraction must be in [0, 1) (got \(validFraction))") }
        guard jitter >= 0 else { throw ValidationError("--jitter must be non-negative") }
    }

    func run() throws {
        var frames: [Float] = [], offsets: [Int64] = [0]
        let u = FloatBuffer(count: 5), noise = FloatBuffer(count: 2 * maxLength)
        for s in 0..<sequences {
            let random = CounterRandom(seed: seed, stream: UInt64(s))
            random.fillUniform(u.pointer, count: 5, step: 0, t: 0, purpose: 0)
            let length = minLength + Int(u[0] * Float(maxLength - minLength + 1)) % (maxLength - minLength + 1)
            let w = 0.05 + 0.25 * u[1], a = 0.5 + u[2], p = 2 * Float.pi * u[3], q = 2 * Float.pi * u[4]
            random.fillNormal(noise.pointer, count: 2 * length, step: 1, t: 0, purpose: 0)
            for t in 0..<length {
                frames.append(a * sinf(w * Float(t) + p) + jitter * noise[2 * t])
                frames.append(a * cosf(2 * w * Float(t) + q) + jitter * noise[2 * t + 1])
            }
            offsets.append(Int64(frames.count / 2))
        }
        let validCount = Int((Double(sequences) * validFraction).rounded())
        let trainCount = sequences - validCount
        // Normalise with statistics of the training split only.
        let trainRows = Int(offsets[trainCount])
        var mean: [Float] = [0, 0], std: [Float] = [0, 0]
        for d in 0..<2 {
            let column = stride(from: d, to: 2 * trainRows, by: 2).map { Double(frames[$0]) }
            let m = column.reduce(0, +) / Double(column.count)
            let v = column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(column.count)
            mean[d] = Float(m)
            std[d] = Float(max(v.squareRoot(), 1e-6))
        }
        for i in frames.indices { frames[i] = (frames[i] - mean[i % 2]) / std[i % 2] }
        let metadata = """
            {"kind":"synthetic","generator":"lissajous","sequences":\(sequences),"seed":\(seed),"jitter":\(jitter),\
            "valid_fraction":\(validFraction)}
            """
        let dataset = SequenceDataset(values: .frames(frames, dim: 2, mean: mean, std: std), offsets: offsets,
                                      train: 0..<trainCount, valid: trainCount..<sequences, metadata: metadata)
        try dataset.write(to: out, overwrite: force)
        print("vrnn prepare: \(out): \(trainCount) training and \(validCount) validation sequences of 2-D frames, "
              + "\(offsets.last!) frames in all")
    }
}
