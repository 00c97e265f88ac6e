import Foundation
import Training

extension Benchmark {
    /// One round's rates in char-steps/s: each rank alone on its G/N streams, each rank while all
    /// train at once without collectives (side by side), and all together on G.
    struct Round {
        var alone: [Double]
        /// Each rank alone per CPU second of its process.
        var aloneCPU: [Double]
        var sideBySide: [Double]
        var together: Double
        var meanAlone: Double { alone.reduce(0, +) / Double(alone.count) }
        var meanAloneCPU: Double { aloneCPU.reduce(0, +) / Double(aloneCPU.count) }
        /// The N-rank rate over the sum of the ranks' rates alone: with identical cores, the rate
        /// over N times one rank's; on a host whose cores run at different speeds, each counts.
        var efficiency: Double { together / alone.reduce(0, +) }
        /// What sharing the machine leaves (side by side over alone), and what the synchronous
        /// step leaves of that (together over side by side): efficiency is their product.
        var sharing: Double { sideBySide.reduce(0, +) / alone.reduce(0, +) }
        var synchronisation: Double { together / sideBySide.reduce(0, +) }
        /// A synchronous step goes at the slowest rank's pace: the N-rank rate over N times the
        /// slowest rank's side by side, what is left once uneven cores are set aside.
        var pace: Double { together / (Double(sideBySide.count) * sideBySide.min()!) }

        /// Measures one round (collective): every rank alone in turn on `solo` (its G/N streams)
        /// while the others wait idle; all side by side on `solo` with no collective, each for as
        /// long as the slowest took alone, so that all are busy throughout; then `together`. On one
        /// rank the three parts are one run.
        static func measure(_ world: Collective, solo: Trainer, together: Trainer, steps: Int, warmup: Int) -> Round {
            guard world.size > 1 else {
                let rate = Benchmark.throughput(together, steps: steps, warmup: warmup)
                return Round(alone: [rate.wall], aloneCPU: [rate.cpu], sideBySide: [rate.wall], together: rate.wall)
            }
            var alone = [Double](repeating: 0, count: world.size), aloneCPU = alone, sideBySide = alone
            for r in 0..<world.size {
                _ = world.allreduceSum([0])
                if r == world.rank { (alone[r], aloneCPU[r]) = Benchmark.throughput(solo, steps: steps, warmup: warmup) }
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
            return Round(alone: alone, aloneCPU: aloneCPU, sideBySide: sideBySide,
                         together: Benchmark.throughput(together, steps: steps, warmup: warmup).wall)
        }

        func line(_ round: Int, flopsPerCharStep: Double) -> String {
            let each = alone.map { String(format: "%.0f", $0) }.joined(separator: ", ")
            guard alone.count > 1 else {
                return String(format: "round %d: %.0f char-steps/s, %.2f GFLOP/s", round, together, together * flopsPerCharStep / 1e9)
            }
            let beside = sideBySide.map { String(format: "%.0f", $0) }.joined(separator: ", ")
            return "round \(round), char-steps/s rank by rank: alone " + each + ", side by side " + beside
                + String(format: "; together %.0f: %.1f %%", together, 100 * efficiency)
        }
    }

    /// The middle value (the mean of the two middle ones for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
