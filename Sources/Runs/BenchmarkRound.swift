import Foundation
import Training

extension Benchmark {
    /// One round's rates in char-steps/s: each rank alone on its G/N streams, each rank while all
    /// train at once without collectives (side by side), and all together on G; and in the
    /// together run, the milliseconds a step each rank spent computing (its step less its time in
    /// collectives).
    struct Round {
        var alone: [Double]
        /// Each rank alone per CPU second of its process.
        var aloneCPU: [Double]
        var sideBySide: [Double]
        var together: Double
        var computeMs: [Double]
        var collectiveMs: [Double]
        var stepMs: Double
        var meanAlone: Double { alone.reduce(0, +) / Double(alone.count) }
        var meanAloneCPU: Double { aloneCPU.reduce(0, +) / Double(aloneCPU.count) }
        /// The N-rank rate over the sum of the ranks' rates alone: with identical cores, the rate
        /// over N times one rank's; on a host whose cores run at different speeds, each counts.
        var efficiency: Double { together / alone.reduce(0, +) }
        /// What sharing the machine leaves (side by side over alone), and what the synchronous
        /// step leaves of that (together over side by side): efficiency is their product.
        var sharing: Double { sideBySide.reduce(0, +) / alone.reduce(0, +) }
        var synchronisation: Double { together / sideBySide.reduce(0, +) }
        /// The synchronous step measured from inside, in the same run: every rank waits for the
        /// slowest, so a rank slower over the run leaves the ranks' mean compute over the slowest's
        /// (balance), and the slowest rank's own waits (steps where another rank was slower, and
        /// the collectives' latency) leave its compute over the step.
        var balance: Double { computeMs.reduce(0, +) / Double(computeMs.count) / computeMs.max()! }
        var slowestRank: Double { computeMs.max()! / stepMs }

        /// Measures one round (collective): every rank alone in turn on `solo` (its G/N streams)
        /// while the others wait idle; all side by side on `solo` with no collective, each for as
        /// long as the slowest took alone, so that all are busy throughout; then `together`, whose
        /// collective should be a TimedCollective (its time in collectives). On one rank the three
        /// parts are one run.
        static func measure(_ world: Collective, solo: Trainer, together: Trainer, steps: Int, warmup: Int) -> Round {
            guard world.size > 1 else {
                let rate = Benchmark.throughput(together, steps: steps, warmup: warmup)
                return Round(alone: [rate.wall], aloneCPU: [rate.cpu], sideBySide: [rate.wall], together: rate.wall,
                             computeMs: [rate.stepMs], collectiveMs: [0], stepMs: rate.stepMs)
            }
            var alone = [Double](repeating: 0, count: world.size), aloneCPU = alone, sideBySide = alone
            for r in 0..<world.size {
                _ = world.allreduceSum([0])
                if r == world.rank {
                    let rate = Benchmark.throughput(solo, steps: steps, warmup: warmup)
                    (alone[r], aloneCPU[r]) = (rate.wall, rate.cpu)
                }
            }
            alone = world.allreduceSum(alone)
            aloneCPU = world.allreduceSum(aloneCPU)
            let charSteps = Double(solo.config.globalBatch * solo.config.window)
            let longest = alone.map { Double(steps) * charSteps / $0 }.max()!
            for _ in 0..<warmup { _ = solo.trainStep() }
            _ = world.allreduceSum([0])
            sideBySide[world.rank] = Benchmark.throughput(solo, steps: 1, seconds: longest, warmup: 0).wall
            sideBySide = world.allreduceSum(sideBySide)
            _ = world.allreduceSum([0])
            let rate = Benchmark.throughput(together, steps: steps, warmup: warmup)
            // Every rank's compute and time in collectives, in one sum: [compute by rank, collectives by rank].
            var mine = [Double](repeating: 0, count: 2 * world.size)
            (mine[world.rank], mine[world.size + world.rank]) = (rate.stepMs - rate.collectiveMs, rate.collectiveMs)
            let all = world.allreduceSum(mine)
            return Round(alone: alone, aloneCPU: aloneCPU, sideBySide: sideBySide, together: rate.wall,
                         computeMs: Array(all[..<world.size]), collectiveMs: Array(all[world.size...]), stepMs: rate.stepMs)
        }

        func line(_ round: Int, flopsPerCharStep: Double) -> String {
            let each = alone.map { String(format: "%.0f", $0) }.joined(separator: ", ")
            guard alone.count > 1 else {
                return String(format: "round %d: %.0f char-steps/s, %.2f GFLOP/s", round, together, together * flopsPerCharStep / 1e9)
            }
            let beside = sideBySide.map { String(format: "%.0f", $0) }.joined(separator: ", ")
            return "round \(round), char-steps/s rank by rank: alone " + each + ", side by side " + beside
                + String(format: "; together %.0f: %.1f %% (computing ", together, 100 * efficiency)
                + Benchmark.list(computeMs) + String(format: " ms of a %.1f ms step)", stepMs)
        }
    }

    /// The middle value (the mean of the two middle ones for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
