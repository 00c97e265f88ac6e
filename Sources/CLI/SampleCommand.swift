import ArgumentParser
import Foundation
import Kernels
import Runs

struct SampleCommand: ParsableCommand, OptionChecks {
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

    @Option(help: "A checkpoint file, a run folder (its latest checkpoint), or RUN:best (the run's best validated checkpoint).") var checkpoint: String
    @Option(parsing: .unconditional, help: "Sampling temperature: 1 samples the model, lower is more conservative, 0 takes the mode or mean.")
    var temperature: Float = 1
    @Option(parsing: .unconditional, help: "Steps to generate (characters for text).") var length = 1000
    @Option(help: "Text the samples continue (text models only); the model reads it first.") var prime: String?
    @Option(parsing: .unconditional, help: "How many independent samples.") var samples = 1
    @Option(parsing: .unconditional, help: "Seed of the sampling noise.") var seed: UInt64 = 1
    @Option(help: "Output file (default: standard output). Real-valued samples: .csv, .npy, .wav or .svg.") var out: String?
    @Option(help: "SVG only: a dataset whose validation sequence is drawn with the model's reconstruction beside the samples.")
    var reconstruct: String?
    @Option(parsing: .unconditional, help: "Which validation sequence --reconstruct draws (0-based).") var sequence = 0
    @Flag(help: "Replace an existing output file.") var force = false

    func checkOptions() throws {
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more (got \(temperature))") }
        guard length >= 1 else { throw ValidationError("--length must be at least 1 (got \(length))") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        if let prime, prime.isEmpty { throw ValidationError("--prime needs some text") }
        if reconstruct != nil && request.outputKind != "svg" { throw ValidationError("--reconstruct draws into an SVG; give --out FILE.svg") }
        guard sequence >= 0 else { throw ValidationError("--sequence must be 0 or more (got \(sequence))") }
    }

    var request: Sampling.Request {
        var request = Sampling.Request(checkpoint: checkpoint, out: out) { [self] loaded in
            Sampler(loaded, temperature: temperature, length: length, samples: samples, seed: seed)
        }
        request.prime = prime
        request.reconstruct = reconstruct
        request.sequence = sequence
        request.force = force
        request.notify = { FileHandle.standardError.writeMessage($0 + "\n") }
        return request
    }

    func run() throws {
        try FileHandle.standardOutput.write(contentsOf: Sampling.run(request).standardOutput)
    }
}
