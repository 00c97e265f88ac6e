import ArgumentParser
import Cluster
import Runs

struct EvalCommand: ParsableCommand, OptionChecks {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a trained model on a dataset split: negative ELBO and importance-sampled likelihood (mpirun -np N vrnn eval ...).",
        discussion: """
            Each sequence (or segment, with --segment L; text defaults to segments of the training window) is read \
            from a zero state. The negative ELBO uses the analytic KL and is averaged over the K posterior paths; \
            -log p(x) is the importance-sampled estimate with the encoder as proposal, logsumexp_k log w_k - log K, \
            which tightens towards the true likelihood as K grows. Figures are per step and per sequence, in nats \
            (and bits per character for text). --posterior-mean sets z = mu_q for a deterministic reconstruction.
            """)

    @Option(help: "A checkpoint file, a run folder (its latest checkpoint), or RUN:best (the run's best validated checkpoint).") var checkpoint: String
    @Option(help: "Dataset made by `vrnn prepare` (the one the model was trained on, or one prepared the same way).") var data: String
    @Option(help: "valid or train.") var split: Evaluation.Split = .valid
    @Option(name: .customLong("importance-samples"), parsing: .unconditional, help: "K: posterior samples per sequence for the likelihood estimate.")
    var importanceSamples = 10
    @Flag(name: .customLong("posterior-mean"), help: "z = mu_q, no noise: a deterministic reconstruction and ELBO (no likelihood estimate).")
    var posteriorMean = false
    @Option(parsing: .unconditional, help: "Cut sequences into segments of at most L steps, each read from a zero state (default: whole sequences; text: the training window).")
    var segment: Int?
    @Option(parsing: .unconditional, help: "Seed of the posterior samples.") var seed: UInt64 = 1
    @Flag(help: "Print nothing but the results.") var quiet = false
    @OptionGroup var cluster: ClusterOptions

    func checkOptions() throws {
        guard importanceSamples >= 1 else { throw ValidationError("--importance-samples must be at least 1 (got \(importanceSamples))") }
        if let segment, segment < 1 { throw ValidationError("--segment must be at least 1 (got \(segment))") }
    }

    var request: Evaluation.Request {
        var request = Evaluation.Request(checkpoint: checkpoint, data: data)
        request.split = split
        request.importanceSamples = importanceSamples
        request.posteriorMean = posteriorMean
        request.segment = segment
        request.seed = seed
        request.progress = !quiet
        return request
    }

    func run() throws {
        let world = cluster.world()
        defer { world.finalize() }
        for line in try Evaluation(request, collective: world).run() { print(line) }
    }
}

extension Evaluation.Split: ExpressibleByArgument {}
