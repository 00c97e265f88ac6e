import Foundation
import Training
import VRNN

extension Benchmark {
    /// `--phases`: one more measurement of `steps` steps of the N-rank trainer (after `warmup`
    /// untimed ones) with every phase of the step timed (StepPhases). Returns rank 0's
    /// milliseconds per step by phase, in step order. The clock reads are kept out of the rates
    /// above, which run without them.
    static func phases(_ trainer: Trainer, steps: Int, warmup: Int) -> [(phase: StepPhases.Phase, ms: Double)] {
        for _ in 0..<warmup { _ = trainer.trainStep() }
        _ = trainer.collective.allreduceSum([0])
        let phases = StepPhases()
        trainer.workspace.phases = phases
        defer { trainer.workspace.phases = nil }
        for _ in 0..<steps { _ = trainer.trainStep() }
        return phases.millisecondsPerStep
    }

    /// The report's lines for `phases`: one per phase, with its share of the step. The residual
    /// posterior's prior runs inside the time loops, which a last line says.
    static func phaseLines(_ phases: [(phase: StepPhases.Phase, ms: Double)], steps: Int, batch: Int, ranks: Int,
                           residualPosterior: Bool) -> [String] {
        let total = phases.reduce(0) { $0 + $1.ms }
        let width = phases.map(\.phase.label.count).max() ?? 0
        var lines = [String(format: "where a step's time goes (rank 0, %d step%@ of G=%d over %d rank%@): %.1f ms per step",
                            steps, steps == 1 ? "" : "s", batch, ranks, ranks == 1 ? "" : "s", total)]
        for (phase, ms) in phases {
            let name = phase.label.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append(String(format: "  %@  %9.3f ms  %5.1f %%", name, ms, total > 0 ? 100 * ms / total : 0))
        }
        if residualPosterior { lines.append("  (the residual posterior's prior runs step by step: its time is in the time loops)") }
        return lines
    }
}
