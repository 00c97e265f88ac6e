import Foundation
import Training
import VRNN

extension Benchmark {
    /// What `--phases` measured: this rank's milliseconds per step by phase, in step order, and
    /// every rank's allreduce phase (which holds its wait for the slowest rank).
    struct PhaseTimes {
        var byPhase: [(phase: StepPhases.Phase, ms: Double)]
        var allreduceByRank: [Double]
    }

    /// `--phases` (collective): one more measurement of `steps` steps of the N-rank trainer (after
    /// `warmup` untimed ones) with every phase of the step timed (StepPhases). The clock reads
    /// are kept out of the rates above, which run without them.
    static func phases(_ trainer: Trainer, steps: Int, warmup: Int) -> PhaseTimes {
        for _ in 0..<warmup { _ = trainer.trainStep() }
        let world = trainer.collective
        _ = world.allreduceSum([0])
        let phases = StepPhases()
        trainer.workspace.phases = phases
        defer { trainer.workspace.phases = nil }
        for _ in 0..<steps { _ = trainer.trainStep() }
        let byPhase = phases.millisecondsPerStep
        var waits = [Double](repeating: 0, count: world.size)
        waits[world.rank] = byPhase.first { $0.phase == .allreduce }!.ms
        return PhaseTimes(byPhase: byPhase, allreduceByRank: world.allreduceSum(waits))
    }

    /// The report's lines for `times` (rank 0's): one per phase, with its share of the step. The
    /// residual posterior's prior runs inside the time loops, which a line says; on N ranks, a
    /// line gives every rank's allreduce phase: a rank that waits long runs faster than the slowest.
    static func phaseLines(_ times: PhaseTimes, steps: Int, batch: Int, ranks: Int, residualPosterior: Bool) -> [String] {
        let phases = times.byPhase, total = phases.reduce(0) { $0 + $1.ms }
        let width = phases.map(\.phase.label.count).max() ?? 0
        var lines = [String(format: "where a step's time goes (rank 0, %d step%@ of G=%d over %d rank%@): %.1f ms per step",
                            steps, steps == 1 ? "" : "s", batch, ranks, ranks == 1 ? "" : "s", total)]
        for (phase, ms) in phases {
            let name = phase.label.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append(String(format: "  %@  %9.3f ms  %5.1f %%", name, ms, total > 0 ? 100 * ms / total : 0))
        }
        if residualPosterior { lines.append("  (the residual posterior's prior runs step by step: its time is in the time loops)") }
        if ranks > 1 {
            lines.append("  the allreduce phase rank by rank: " + times.allreduceByRank.map { String(format: "%.3f", $0) }.joined(separator: ", ")
                         + " ms (the wait for the slowest rank: a rank that waits long runs faster than it)")
        }
        return lines
    }
}
