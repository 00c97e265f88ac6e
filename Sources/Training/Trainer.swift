import Kernels
import VRNN

/// The knobs of a training run that are not the model's shape.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// G: global streams per step, split evenly over ranks.
    public var globalBatch: Int = 64
    /// T: time steps per truncated-BPTT window.
    public var window: Int = 100
    public var steps: Int = 1000
    public var seed: UInt64 = 1
    /// Global-norm clipping threshold on the summed gradient.
    public var clip: Float = 5
    public var adam = AdamConfig()
    /// The KL term's weight schedule and free nats.
    public var kl = KLSchedule()
    /// How the learning rate moves from `adam.learningRate` over the steps.
    public var lrSchedule = LearningRateSchedule()
    /// Dropout rate of the features, the decoder's hidden layers and the RNN's output (0: none).
    public var dropout: Float = 0
    public init() {}

    private enum CodingKeys: String, CodingKey { case globalBatch, window, steps, seed, clip, adam, kl, lrSchedule, dropout }

    /// Configurations written before a field existed read it as its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        globalBatch = try c.decode(Int.self, forKey: .globalBatch)
        window = try c.decode(Int.self, forKey: .window)
        steps = try c.decode(Int.self, forKey: .steps)
        seed = try c.decode(UInt64.self, forKey: .seed)
        clip = try c.decode(Float.self, forKey: .clip)
        adam = try c.decode(AdamConfig.self, forKey: .adam)
        kl = try c.decodeIfPresent(KLSchedule.self, forKey: .kl) ?? KLSchedule()
        lrSchedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .lrSchedule) ?? LearningRateSchedule()
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
    }

    /// The optimiser, its weight decay and the learning-rate schedule, in one line for the log.
    public var optimiserSummary: String {
        let optimiser = adam.weightDecay == 0 ? "Adam" : adam.decayStyle == .adamw ? "AdamW (weight decay \(adam.weightDecay))"
            : "Adam (L2 weight decay \(adam.weightDecay))"
        return optimiser + ", " + lrSchedule.summary(steps: steps, base: adam.learningRate) + (dropout > 0 ? ", dropout \(dropout)" : "")
    }

    /// The learning rate applied at `step` (0-based).
    public func learningRate(step: Int) -> Float { lrSchedule.rate(step: step, steps: steps, base: adam.learningRate) }
}

/// Figures of one optimisation step, already reduced over ranks.
public struct StepMetrics: Sendable {
    public var step: Int
    /// (reconstruction + KL) per (stream, time step), nats.
    public var loss: Double
    public var reconstruction: Double
    public var kl: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Double
    public var learningRate: Float
    /// The weight of the KL term in this step's objective.
    public var klWeight: Float
    /// Validation loss per (stream, time step) in nats, where it was measured at this step.
    public var validLoss: Double? = nil
    /// What was not finite ("loss", "gradient norm", "KL weight", or "parameters" after the
    /// update), nil for a healthy step.
    public var nonFinite: String? = nil
    /// Whether the step's update was applied: not when its loss, gradient or KL weight was not finite.
    public var applied = true
    /// The spread of the latent Gaussians over every rank's window (nil without a latent variable).
    public var latent: LatentRanges?

    public init(step: Int, loss: Double, reconstruction: Double, kl: Double, gradientNorm: Double, learningRate: Float, klWeight: Float) {
        self.step = step; self.loss = loss; self.reconstruction = reconstruction; self.kl = kl
        self.gradientNorm = gradientNorm; self.learningRate = learningRate; self.klWeight = klWeight
    }
}

/// One rank's part of data-parallel training (ARCHITECTURE §3): it owns global streams
/// [rank*G/N, (rank+1)*G/N), runs forward and backward over their windows with the loss
/// normalised by G*T, sums gradients over ranks, clips the sum and takes the same Adam step as
/// every other rank.
public final class Trainer {
    public let model: VRNNModel
    public let config: TrainingConfig
    public let collective: Collective
    public let workspace: WindowWorkspace
    public let parameters: FloatBuffer
    public let gradient: FloatBuffer
    public let adam: Adam
    public let data: SequenceData
    public var streams: SequenceStreams
    public let firstStream: Int
    var rows: [Int]   // [T * B] data row of each window row
    public internal(set) var step = 0
    /// The KL weight before warm-up: beta, or the adaptive weight's current value.
    public internal(set) var klBase: Float

    public enum SetupError: Error, CustomStringConvertible {
        case indivisible(globalBatch: Int, ranks: Int)
        case dataMismatch(String)
        public var description: String {
            switch self {
            case let .dataMismatch(text): return text
            case let .indivisible(g, n):
                return "--global-batch \(g) cannot be split over \(n) ranks: the rank count must divide it "
                    + "(and be at most \(g)); choose -np among the divisors of \(g) or change --global-batch"
            }
        }
    }

    public init(model: VRNNModel, config: TrainingConfig, data: SequenceData, collective: Collective) throws {
        let n = collective.size, g = config.globalBatch
        guard g >= n, g % n == 0 else { throw SetupError.indivisible(globalBatch: g, ranks: n) }
        if let problem = data.mismatch(with: model.config) { throw SetupError.dataMismatch(problem) }
        self.model = model
        self.config = config
        self.collective = collective
        let local = g / n
        firstStream = collective.rank * local
        workspace = WindowWorkspace(model: model, batch: local, steps: config.window)
        if config.dropout > 0 { workspace.enableDropout(rate: config.dropout) }
        parameters = FloatBuffer(count: model.parameterCount)
        gradient = FloatBuffer(count: model.parameterCount)
        model.table.initialise(parameters, seed: config.seed)
        adam = Adam(parameterCount: model.parameterCount, config: config.adam)
        self.data = data
        streams = try SequenceStreams(offsets: data.offsets, globalStreams: g, window: config.window, ranks: n)
        rows = Array(repeating: 0, count: local * config.window)
        klBase = config.kl.beta
    }

    /// A fingerprint of the parameters (sum and sum of squares in Double): ranks whose parameters
    /// differ in any bit almost surely differ here.
    public func parameterChecksum() -> [Double] {
        [sum(parameters.pointer, count: parameters.count), sumOfSquares(parameters.pointer, count: parameters.count)]
    }

    /// One optimisation step over the next window of this rank's streams. `inspectGradient` sees
    /// the gradient summed over ranks, before clipping.
    /// Why this rank could not read its training data, if it could not (a damaged file).
    public private(set) var dataFailure: Error?

    public func trainStep(inspectGradient: ((FloatBuffer) -> Void)? = nil) -> StepMetrics {
        let normaliser = Float(config.globalBatch * config.window)
        let phases = workspace.phases
        phases?.start()
        streams.nextWindow(firstStream: firstStream, batch: workspace.batch, rows: &rows, reset: &workspace.reset)
        do { try data.fill(workspace, rows: rows) } catch { dataFailure = dataFailure ?? error }
        phases?.end(.data)
        workspace.fillLatentNoise(seed: config.seed, step: step, firstStream: firstStream)
        workspace.fillDropoutMasks(seed: config.seed, step: step, firstStream: firstStream)
        gradient.zero()
        phases?.end(.noise)
        let kl = config.kl.term(step: step, base: klBase)
        workspace.forwardActivations(parameters: parameters.pointer)   // the losses come once, from backward
        let local = workspace.backward(parameters: parameters.pointer, gradient: gradient.pointer, normaliser: normaliser, kl: kl)
        collective.allreduceSum(gradient)
        // A rank that could not read its window adds NaN, so every rank sees a non-finite loss and
        // none applies the step; the caller then asks which rank failed (`dataFailure`).
        let sums = collective.allreduceSum([dataFailure == nil ? local.reconstruction : .nan, local.kl])
        let latent = workspace.latentRanges().map { collective.allreduceMinMax($0.values) }.map { LatentRanges.reduced(min: $0.min, max: $0.max) }
        phases?.end(.allreduce)
        let adapted = config.kl.adapted(base: klBase, weight: kl.weight, kl: sums[1], reconstruction: sums[0])
        inspectGradient?(gradient)
        let norm = clipGlobalNorm(gradient, maxNorm: config.clip)
        let lr = config.learningRate(step: step)
        let count = Double(normaliser)
        var metrics = StepMetrics(step: step + 1, loss: (sums[0] + sums[1]) / count, reconstruction: sums[0] / count,
                                  kl: sums[1] / count, gradientNorm: norm, learningRate: lr, klWeight: kl.weight)
        metrics.latent = latent
        // Every value here is reduced over ranks, so every rank takes the same branch. A step whose
        // loss, gradient or KL weight is not finite is not applied, nor its state carried.
        metrics.nonFinite = !(sums[0] + sums[1]).isFinite ? "loss" : !norm.isFinite ? "gradient norm"
            : !(kl.weight.isFinite && adapted.isFinite) ? "KL weight" : nil
        if metrics.nonFinite == nil {
            klBase = adapted
            adam.update(parameters: parameters, gradient: gradient, learningRate: lr)
            workspace.carryStateForward()
            // An update from finite values can still overflow (a huge learning rate).
            if !parameterChecksum().allSatisfy(\.isFinite) { metrics.nonFinite = "parameters" }
        } else {
            metrics.applied = false
        }
        step += 1
        phases?.end(.update)
        return metrics
    }
}
