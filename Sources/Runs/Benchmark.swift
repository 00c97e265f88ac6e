import Foundation
import Kernels
import Training
import VRNN

/// `vrnn bench`: training throughput at 1 rank and at N ranks, weak-scaling efficiency, the
/// sgemm ceiling on this core, and what the gradient's allreduce costs on this network. In each
/// of a few interleaved rounds every rank in turn trains alone on G/N streams (the work one rank
/// has in the N-rank run), then all ranks do so side by side with no collectives, then all N
/// ranks train on G streams together; the report gives medians over rounds. Achieved GFLOP/s
/// counts 6 flops per weight-matrix entry per character-step (forward 2, backward 4).
public struct Benchmark {
    public var model: ModelConfig
    public var training: TrainingConfig
    /// The preset's name, for the report.
    public var name: String
    /// Timed steps per measurement, and untimed steps before each.
    public var steps = 10
    public var warmup = 2
    /// Interleaved rounds of measurement (their medians are reported).
    public var rounds = 3
    /// Also time every phase of the step, in one more measurement (`vrnn bench --phases`).
    public var phases = false

    public init(model: ModelConfig, training: TrainingConfig, name: String) {
        self.model = model; self.training = training; self.name = name
    }

    /// What one benchmark measured (rank 0's view), for `vrnn bench --json`.
    public struct Report: Codable, Sendable {
        public var preset: String
        public var parameters: Int
        public var ranks: Int
        public var globalBatch: Int
        public var window: Int
        /// Interleaved rounds measured; every rate below is a median over them.
        public var rounds: Int
        /// One rank alone on G/N streams (the mean over the ranks, each alone in turn).
        public var charStepsPerSecond1: Double
        /// All N ranks on G streams.
        public var charStepsPerSecondN: Double
        /// Each rank alone, rank by rank: cores of one host need not run at one speed.
        public var aloneByRank: [Double]
        /// One rank alone per CPU second of its process (the mean over the ranks): the time the
        /// host took from the core left out (HostClock).
        public var charStepsPerCPUSecond1: Double
        /// The share of rank 0's cores' time the host took during the rounds, in per cent (nil
        /// where /proc/stat cannot tell).
        public var hostStealPercent: Double?
        /// Each round's N-rank rate over the sum of the ranks' rates alone.
        public var efficiencyByRound: [Double]
        /// Rank 0 alone, by the 6-flops-per-weight-entry count (the ceiling is its core's).
        public var gflops: Double
        public var sgemmCeilingGflops: Double
        public var percentOfSgemm: Double
        /// The median over rounds of the N-rank rate over the sum of the ranks' rates alone.
        public var weakScalingEfficiency: Double
        /// Medians of the ranks' summed rate side by side (no collectives) over their sum alone,
        /// and of the N-rank rate over that side-by-side rate.
        public var sharingEfficiency: Double
        public var synchronisationEfficiency: Double
        /// The N-rank run from inside (medians over rounds): each rank's milliseconds a step
        /// computing and in collectives (their latency and the waits for slower ranks); the
        /// ranks' mean compute over the slowest's (what a rank slower over the whole run leaves),
        /// and the slowest rank's compute over the step (what its own waits leave: at steps where
        /// another rank was slower, and the collectives' latency). 1 on one rank.
        public var computeMsByRank: [Double]
        public var collectiveMsByRank: [Double]
        public var balanceEfficiency: Double
        public var slowestRankEfficiency: Double
        /// One allreduce of the whole gradient (4 bytes per parameter), alone: what a step pays
        /// the network (median of 5, milliseconds; 0 on one rank).
        public var gradientAllreduceMs: Double
        /// One allreduce of two numbers: a step's latency-bound collectives each cost about this.
        public var smallAllreduceMs: Double
        public var kernelPath: String
        public var blasKernel: String
        public var cpu: String
        /// With `--phases`: rank 0's milliseconds per step of the N-rank run, by phase
        /// (StepPhases.Phase raw values).
        public var phaseMsPerStep: [String: Double]?
        /// With `--phases`: each rank's allreduce phase in ms per step, the wait for the slowest included.
        public var phaseAllreduceMsByRank: [Double]?

        enum CodingKeys: String, CodingKey {
            case preset, parameters, ranks, window, rounds, gflops, cpu
            case aloneByRank = "alone_char_steps_per_s_by_rank", efficiencyByRound = "weak_scaling_efficiency_by_round"
            case charStepsPerCPUSecond1 = "char_steps_per_cpu_s_1", hostStealPercent = "host_steal_percent"
            case globalBatch = "global_batch", charStepsPerSecond1 = "char_steps_per_s_1", charStepsPerSecondN = "char_steps_per_s_n"
            case sgemmCeilingGflops = "sgemm_ceiling_gflops", percentOfSgemm = "percent_of_sgemm"
            case weakScalingEfficiency = "weak_scaling_efficiency", kernelPath = "kernel_path", blasKernel = "blas_kernel"
            case sharingEfficiency = "sharing_efficiency", synchronisationEfficiency = "synchronisation_efficiency"
            case computeMsByRank = "compute_ms_by_rank", collectiveMsByRank = "collective_ms_by_rank"
            case balanceEfficiency = "balance_efficiency", slowestRankEfficiency = "slowest_rank_efficiency"
            case gradientAllreduceMs = "gradient_allreduce_ms", smallAllreduceMs = "small_allreduce_ms"
            case phaseMsPerStep = "phase_ms_per_step", phaseAllreduceMsByRank = "phase_allreduce_ms_by_rank"
        }
    }

    /// Floating-point operations of one character-step of training: every weight matrix (every
    /// 2-D parameter but the embedding, whose rows are only copied) takes 2 flops per entry in
    /// the forward pass and 4 in the backward pass (input gradient and weight gradient).
    public static func flopsPerCharStep(_ model: VRNNModel) -> Double {
        6 * Double(model.table.entries.filter { $0.shape.count == 2 && $0.name != "embedding.weight" }.reduce(0) { $0 + $1.count })
    }

    /// Measures on every rank (collective); rank 0 passes its report lines to `say` as they come
    /// and returns the report (other ranks return nil).
    public func run(collective world: Collective, say: (String) -> Void) throws -> Report? {
        guard rounds >= 1, steps >= 1, warmup >= 0 else {
            throw UserError("a benchmark needs at least 1 round and 1 step, and no negative warm-up (got \(rounds), \(steps), \(warmup))")
        }
        let rank0 = world.rank == 0
        world.context.activity = "benchmarking \(name)"
        let config = model, training = training
        try KernelPath.agree(world)
        // The N-rank trainer checks the model and the rank count; every rank agrees before going on.
        let together = try agreeing(world) { () throws -> Trainer in
            let vrnn = try VRNNModel(config)
            try Self.checkMemory(vrnn, training, ranks: world.size)
            return try Self.trainer(vrnn, training, TimedCollective(world))   // its time in collectives
        }
        let vrnn = together.model
        let flopsPerCharStep = Self.flopsPerCharStep(vrnn)
        let local = training.globalBatch / world.size
        if rank0 {
            say("vrnn bench: \(BLASSetup.summary); \(KernelPath.summary)")
            say("vrnn bench: preset \(name), \(vrnn.parameterCount) parameters, T=\(training.window), "
                + "G=\(training.globalBatch) over \(world.size) rank\(world.size == 1 ? "" : "s") (\(local) streams each)")
        }

        // 1. The sgemm ceiling on this core: the best of the model's largest batched shape and two
        // square ones, as plain (NN) products, the form the forward pass uses.
        _ = world.allreduceSum([0])
        var ceiling = 0.0
        if rank0 {
            let h = config.hidden, rows = local * training.window
            for (m, n, k) in [(rows, config.gates * h, config.rnnInputWidth), (512, 512, 512), (1024, 1024, 1024)] {
                let g = Self.sgemmGFLOPs(m: m, n: n, k: k)
                ceiling = max(ceiling, g)
                say(String(format: "sgemm %dx%dx%d: %.1f GFLOP/s", m, n, k, g))
            }
        }
        // 2. Interleaved rounds (Round.measure: alone, side by side, together), so that a host
        // whose speed drifts over seconds (other tenants, clocks) hits every measurement alike.
        var alone = training
        alone.globalBatch = local
        let solo = world.size == 1 ? together : try Self.trainer(vrnn, alone, SingleProcess())
        var measured: [Round] = []
        let ticks = HostClock.Ticks.now()
        for round in 1...rounds {
            let measurement = Round.measure(world, solo: solo, together: together, steps: steps, warmup: warmup)
            measured.append(measurement)
            if rank0 && (rounds > 1 || world.size > 1) { say(measurement.line(round, flopsPerCharStep: flopsPerCharStep)) }
        }
        let steal = HostClock.Ticks.stealPercent(since: ticks)
        let single = Self.median(measured.map(\.meanAlone)), rate = Self.median(measured.map(\.together))
        let singleCPU = Self.median(measured.map(\.meanAloneCPU))
        let efficiency = Self.median(measured.map(\.efficiency))
        let sharing = Self.median(measured.map(\.sharing)), synchronisation = Self.median(measured.map(\.synchronisation))
        let balance = Self.median(measured.map(\.balance)), slowestRank = Self.median(measured.map(\.slowestRank))
        let computeByRank = (0..<world.size).map { r in Self.median(measured.map { $0.computeMs[r] }) }
        let collectiveByRank = (0..<world.size).map { r in Self.median(measured.map { $0.collectiveMs[r] }) }
        // 3. The collectives alone, with no compute between them: what the network costs a step.
        let gradient = FloatBuffer(count: vrnn.parameterCount)
        let gradientAllreduce = Self.medianSeconds(world) { world.allreduceSum(gradient) }
        let smallAllreduce = Self.medianSeconds(world) { _ = world.allreduceMinMax([0]) }
        let phaseTimes = phases ? Self.phases(together, steps: steps, warmup: warmup) : nil
        guard rank0 else { return nil }
        let n = Double(world.size)
        // GFLOP/s from rank 0's own rate alone: the ceiling was measured on its core.
        let aloneByRank = (0..<world.size).map { r in Self.median(measured.map { $0.alone[r] }) }
        let gflops = aloneByRank[0] * flopsPerCharStep / 1e9
        say(String(format: "1 rank, G=%d: %.0f char-steps/s", local, single) + (world.size > 1 ? " (mean over the ranks), rank 0" : "")
            + String(format: "; %.2f GFLOP/s (%.1f %% of sgemm on its core)", gflops, 100 * gflops / ceiling))
        say(String(format: "  by CPU time: %.0f char-steps per CPU second", singleCPU)
            + (steal.map { String(format: "; the host took %.1f %% of this core's time (steal)", $0) } ?? ""))
        if world.size > 1 {
            say(String(format: "%d ranks, G=%d: %.0f char-steps/s (%.0f per rank), %.2f GFLOP/s per rank",
                       world.size, training.globalBatch, rate, rate / n, rate / n * flopsPerCharStep / 1e9))
            say(String(format: "weak-scaling efficiency 1 -> %d ranks: %.1f %% (%.2fx one rank)", world.size, 100 * efficiency, n * efficiency))
            say(String(format: "  sharing the machine leaves %.1f %% (the ranks side by side, no collectives); the synchronous step "
                           + "%.1f %% of that", 100 * sharing, 100 * synchronisation))
            say("  inside the \(world.size)-rank run, ms a step rank by rank: computing " + Self.list(computeByRank)
                + ", in collectives " + Self.list(collectiveByRank)
                + String(format: "; a slower rank leaves %.1f %% (the ranks' mean compute over the slowest's), that rank's own waits "
                         + "%.1f %% (its compute over the step: steps where another was slower, and the collectives' latency)",
                         100 * balance, 100 * slowestRank))
            say(String(format: "allreduce of the gradient (%.1f MB): %.2f ms; of two numbers: %.3f ms",
                       Double(4 * vrnn.parameterCount) / 1e6, 1e3 * gradientAllreduce, 1e3 * smallAllreduce))
        }
        if rounds > 1 { say("(medians of \(rounds) rounds)") }
        if let phaseTimes {
            Self.phaseLines(phaseTimes, steps: steps, batch: training.globalBatch, ranks: world.size,
                            residualPosterior: config.residualPosterior).forEach(say)
        }
        return Report(preset: name, parameters: vrnn.parameterCount, ranks: world.size, globalBatch: training.globalBatch,
                      window: training.window, rounds: rounds, charStepsPerSecond1: single, charStepsPerSecondN: rate,
                      aloneByRank: aloneByRank, charStepsPerCPUSecond1: singleCPU, hostStealPercent: steal,
                      efficiencyByRound: measured.map(\.efficiency), gflops: gflops,
                      sgemmCeilingGflops: ceiling, percentOfSgemm: 100 * gflops / ceiling, weakScalingEfficiency: efficiency,
                      sharingEfficiency: sharing, synchronisationEfficiency: synchronisation, computeMsByRank: computeByRank,
                      collectiveMsByRank: collectiveByRank, balanceEfficiency: balance, slowestRankEfficiency: slowestRank,
                      gradientAllreduceMs: 1e3 * gradientAllreduce, smallAllreduceMs: 1e3 * smallAllreduce,
                      kernelPath: KernelPath.active.name, blasKernel: BLASInfo.coreName, cpu: Self.cpuModel,
                      phaseMsPerStep: phaseTimes.map { Dictionary(uniqueKeysWithValues: $0.byPhase.map { ($0.phase.rawValue, $0.ms) }) },
                      phaseAllreduceMsByRank: phaseTimes?.allreduceByRank)
    }

    /// "1.2, 3.4": milliseconds for a report line.
    static func list(_ values: [Double]) -> String { values.map { String(format: "%.1f", $0) }.joined(separator: ", ") }

    /// The CPU's model name from /proc/cpuinfo ("unknown" elsewhere).
    static var cpuModel: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    /// Refuses a benchmark whose buffers cannot fit (one line, before allocating): each rank holds
    /// the N-rank trainer's workspace and, on N > 1, the alone trainer's; parameters, gradient
    /// and Adam's moments for each; and the random data (`trainer`).
    static func checkMemory(_ model: VRNNModel, _ training: TrainingConfig, ranks: Int) throws {
        let local = training.globalBatch / max(ranks, 1), trainers = ranks > 1 ? 2.0 : 1.0
        let data = Double(training.globalBatch) * (Double(training.window) * Double(dataWindows + 1) + 1)
            * Double(model.config.input == .categorical ? 1 : model.config.inputSize)
        try MemoryBudget.check(floats: trainers * (WindowWorkspace.floatsNeeded(model, batch: local, steps: training.window) + 4 * Double(model.parameterCount)) + data,
                               for: "benchmarking this model (\(model.parameterCount) parameters, \(local) streams of \(training.window) steps)",
                               lower: "--hidden, --features, --latent, --global-batch or --window")
    }

    /// Windows of random data per stream (`trainer`).
    static let dataWindows = 4

    /// A trainer over random data, a few windows per stream (each stream starts its tape again at
    /// the end, so any number of steps runs): uniform tokens for text; for real values, standard
    /// normal frames whose 0/1 columns (a Bernoulli head's, the pen head's pen-up) are fair coin flips.
    static func trainer(_ model: VRNNModel, _ training: TrainingConfig, _ collective: Collective) throws -> Trainer {
        let c = model.config, rows = training.globalBatch * (training.window * (dataWindows + 1) + 1)
        let random = CounterRandom(seed: 11, stream: 0)
        let data: SequenceData
        switch c.input {
        case .categorical:
            let uniform = FloatBuffer(count: rows)
            random.fillUniform(uniform.pointer, count: rows, step: 0, t: 0, purpose: 0)
            data = SequenceData(.tokens((0..<rows).map { Int32(uniform[$0] * Float(c.inputSize)) % Int32(c.inputSize) }, vocabulary: c.inputSize))
        case .real:
            let frames = FloatBuffer(count: rows * c.inputSize), coins = FloatBuffer(count: rows * c.inputSize)
            random.fillNormal(frames.pointer, count: frames.count, step: 0, t: 0, purpose: 0)
            random.fillUniform(coins.pointer, count: coins.count, step: 0, t: 1, purpose: 0)
            let binary = c.head == .bernoulli ? Set(0..<c.inputSize) : c.head == .pen ? [c.inputSize - 1] : []
            for r in 0..<rows { for d in binary { frames[r * c.inputSize + d] = coins[r * c.inputSize + d] < 0.5 ? 0 : 1 } }
            data = SequenceData(.frames(frames.array, dim: c.inputSize))
        }
        return try Trainer(model: model, config: training, data: data, collective: collective)
    }

    /// One timed run: character-steps of the whole run (all ranks) per second of wall clock and
    /// per CPU second of this process (HostClock: what one rank alone gets from its core, whatever
    /// the host takes from it); a step's milliseconds, and those this rank spent in collectives
    /// (0 unless the trainer's collective is a TimedCollective).
    struct Rate {
        var wall: Double
        var cpu: Double
        var stepMs: Double
        var collectiveMs: Double
    }

    /// Times `trainer` between barriers: `warmup` untimed steps, then timed ones until `steps` are
    /// done and at least `seconds` have passed. The closing barrier is timed: it holds the wait
    /// for the slowest rank's last step.
    static func throughput(_ trainer: Trainer, steps: Int, seconds least: Double = 0, warmup: Int) -> Rate {
        for _ in 0..<warmup { _ = trainer.trainStep() }
        let timer = trainer.collective as? TimedCollective
        _ = trainer.collective.allreduceSum([0])
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = HostClock.processCPUSeconds()
        let waitedBefore = timer?.seconds ?? 0
        var done = 0, seconds = 0.0
        repeat {
            _ = trainer.trainStep()
            done += 1
            seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while done < steps || seconds < least
        let cpuSeconds = HostClock.processCPUSeconds() - cpuStart
        _ = trainer.collective.allreduceSum([0])
        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let waited = (timer?.seconds ?? 0) - waitedBefore
        let charSteps = Double(done * trainer.config.globalBatch * trainer.config.window)
        return Rate(wall: charSteps / seconds, cpu: charSteps / cpuSeconds, stepMs: 1e3 * seconds / Double(done),
                    collectiveMs: 1e3 * waited / Double(done))
    }

    /// Median of 5 timings of a collective `body` (after one untimed), each started together.
    static func medianSeconds(_ world: Collective, _ body: () -> Void) -> Double {
        body()
        let times = (0..<5).map { _ -> Double in
            _ = world.allreduceSum([0])
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return times.sorted()[2]
    }

    /// Best of 5 timings of C[m, n] = A[m, k] B[k, n].
    static func sgemmGFLOPs(m: Int, n: Int, k: Int) -> Double {
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n)
        CounterRandom(seed: 1, stream: 1).fillUniform(a.pointer, count: a.count, step: 0, t: 0, purpose: 0)
        CounterRandom(seed: 1, stream: 2).fillUniform(b.pointer, count: b.count, step: 0, t: 0, purpose: 0)
        var best = Double.infinity
        let repeats = max(1, Int(2e8 / Double(2 * m * n * k)))
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats {
                gemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n)
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repeats))
        }
        return withExtendedLifetime((a, b, c)) { 2 * Double(m * n * k) / best / 1e9 }
    }
}
