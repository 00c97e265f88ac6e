import Kernels

/// How spread the latent Gaussians of a window were, over all its rows and dimensions: the
/// smallest and largest sigma of the posterior q and of the prior p (N(0, 1) for VRNN-I), and the
/// largest |mu_q - mu_p| / sigma_p. A KL dimension is log(sp/sq) + (sq^2 + (mq - mp)^2) / (2 sp^2)
/// - 1/2, so a shrinking sigma_p or a growing gap shows here before the KL blows up.
public struct LatentRanges: Equatable, Sendable {
    public var sigmaQMin: Float, sigmaQMax: Float
    public var sigmaPMin: Float, sigmaPMax: Float
    public var largestGap: Float

    /// [q min, q max, p min, p max, gap]: the order `reduced` and the metrics use.
    public var values: [Double] { [sigmaQMin, sigmaQMax, sigmaPMin, sigmaPMax, largestGap].map(Double.init) }

    /// The ranges over every rank, from each rank's `values` reduced to their minima and maxima.
    public static func reduced(min low: [Double], max high: [Double]) -> LatentRanges {
        LatentRanges(sigmaQMin: Float(low[0]), sigmaQMax: Float(high[1]), sigmaPMin: Float(low[2]), sigmaPMax: Float(high[3]),
                     largestGap: Float(high[4]))
    }
}

extension WindowWorkspace {
    /// The ranges over the window of the last losses computed (`forward`, or `backward` in
    /// training), which the KL kernels gather as they go; nil for a model without a latent variable.
    public func latentRanges() -> LatentRanges? {
        guard model.config.hasLatent else { return nil }
        let out = latentExtremes
        return LatentRanges(sigmaQMin: out[0], sigmaQMax: out[1], sigmaPMin: out[2], sigmaPMax: out[3], largestGap: out[4])
    }
}
