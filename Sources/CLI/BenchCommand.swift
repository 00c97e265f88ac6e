import ArgumentParser
import Cluster
import Foundation
import Runs

struct BenchCommand: ParsableCommand, OptionChecks {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training throughput at 1 rank and at N ranks, weak-scaling efficiency and the sgemm ceiling.",
        discussion: """
            Run under mpirun: `launch/mpirun 2 bench --preset seed-char`. Each round has three parts: every rank \
            in turn trains alone on G/N streams (the work one rank has in the N-rank run) while the others wait \
            idle; all ranks train side by side on their own streams with no collective, each for as long as the \
            slowest took alone; then all N ranks train together on G streams. Every round runs all three, so a \
            host whose speed drifts over the rounds hits them alike; the figures are medians over the rounds. \
            Weak-scaling efficiency is the N-rank rate over the sum of the ranks' rates alone; per round it is \
            sharing (side by side over alone: what busy cores cost one another) times synchronisation (together \
            over side by side: what the synchronous step costs). Inside the N-rank run each rank times its \
            collectives, and the rest of its step is its compute: a slower rank leaves the ranks' mean compute \
            over the slowest's, and that rank's own waits (steps where another was slower, the collectives' \
            latency) leave its compute over the step. Achieved GFLOP/s (rank 0's) counts 6 flops per entry of every weight matrix but \
            the embedding, per character-step (forward 2, backward 4); the sgemm ceiling is the best of three \
            plain products on rank 0's core. Each round takes N + 2 measurements: on many ranks, --rounds 1 \
            keeps it short. --phases adds one more measurement with each phase of the step timed (rank 0's). \
            docs/PERFORMANCE.md has the method and figures.
            """)

    @OptionGroup var model: ModelOptions
    @Option(name: .customLong("global-batch"), parsing: .unconditional, help: "G for the N-rank run (default: the preset's).") var globalBatch: Int?
    @Option(parsing: .unconditional, help: "T (default: the preset's).") var window: Int?
    @Option(parsing: .unconditional, help: "Timed steps per measurement.") var steps = 10
    @Option(parsing: .unconditional, help: "Untimed steps before each measurement.") var warmup = 2
    @Option(parsing: .unconditional, help: "Interleaved rounds of measurement; the figures are their medians.") var rounds = 3
    @Flag(help: "Also time each phase of the step (data, noise, forward and backward passes, allreduce, Adam) in one more measurement, and print where a step's time goes (with --json: phase_ms_per_step).") var phases = false
    @Flag(help: "Print only one JSON line with every figure (for scripts such as launch/bench).") var json = false
    @OptionGroup var cluster: ClusterOptions

    func checkOptions() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if warmup < 0 { throw ValidationError("--warmup must be non-negative (got \(warmup))") }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1 (got \(rounds))") }
        if let globalBatch, globalBatch < 1 { throw ValidationError("--global-batch must be at least 1 (got \(globalBatch))") }
        if let window, window < 1 { throw ValidationError("--window must be at least 1 (got \(window))") }
    }

    func run() throws {
        let world = cluster.world()
        defer { world.finalize() }
        // No data to fit: auto stands for the text default.
        let preset = (model.preset ?? .seedChar).resolved(text: true, audio: false, head: nil)
        var training = preset.training
        if let globalBatch { training.globalBatch = globalBatch }
        if let window { training.window = window }
        var benchmark = Benchmark(model: model.modelConfig(base: preset.model), training: training, name: preset.rawValue)
        benchmark.steps = steps
        benchmark.warmup = warmup
        benchmark.rounds = rounds
        benchmark.phases = phases
        let report = try benchmark.run(collective: world) { if !json { print($0) } }
        if json, let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
