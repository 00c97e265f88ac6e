import ArgumentParser
import Pen
import Runs

/// The built-in pen-trajectory datasets (no download); see DatasetPreparation.synthetic.
struct PrepareSynthetic: ParsableCommand, OptionChecks {
    static let configuration = CommandConfiguration(
        commandName: "synthetic",
        abstract: "Generate the built-in pen-trajectory dataset (switching or eye task; deterministic from --seed).",
        discussion: """
            switching: strokes are a circle twice round (A), a triangle traced twice (B) or a figure eight traced \
            twice (C); after A always B, after B one of B, C, A with probability 1/3 each, after C always A.
            eye: each figure is an outline with a wide oval (probability 2/3) or a thin oval (1/3) above it.
            """)

    @Option(help: "switching or eye.") var task: PenTask = .switching
    @Option(parsing: .unconditional, help: "Number of sequences.") var sequences = 400
    @Option(parsing: .unconditional, help: "Figures per sequence (default: 8 strokes for switching, 4 figures for eye).") var figures: Int?
    @Option(parsing: .unconditional, help: "Standard deviation of the Gaussian jitter on every point (the figures have radius 1).") var jitter: Float = 0.02
    @Option(parsing: .unconditional, help: "Seed of every random number.") var seed: UInt64 = 1
    @OptionGroup var output: PrepareOutput

    var resolvedFigures: Int { figures ?? (task == .switching ? 8 : 4) }

    func checkOptions() throws {
        guard sequences >= 2 else { throw ValidationError("--sequences must be at least 2 (got \(sequences))") }
        guard resolvedFigures >= 1 else { throw ValidationError("--figures must be at least 1 (got \(resolvedFigures))") }
        guard jitter >= 0, jitter.isFinite else { throw ValidationError("--jitter must be non-negative") }
    }

    func run() throws {
        print(try DatasetPreparation.synthetic(task: task, sequences: sequences, figures: resolvedFigures, jitter: jitter, seed: seed,
                                               output: output.target))
    }
}

extension PenTask: ExpressibleByArgument {}
