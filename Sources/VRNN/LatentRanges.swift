import Foundation
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
    /// The ranges of the last forward pass (nil for a model without a latent variable).
    public func latentRanges() -> LatentRanges? {
        let c = model.config, zw = c.latent
        guard c.hasLatent else { return nil }
        let mq = muQ.pointer, p = prior?.output, sq = sigmaQ.pointer
        var qLow = Float.infinity, qHigh = -Float.infinity, pLow = Float.infinity, pHigh = -Float.infinity, gap: Float = 0
        for r in 0..<rows {
            for j in 0..<zw {
                let s = sq[r * zw + j]
                qLow = min(qLow, s); qHigh = max(qHigh, s)
                let muP = p.map { $0[r * 2 * zw + j] } ?? 0
                let sigmaP = p.map { softplus($0[r * 2 * zw + zw + j]) + c.sigmaMin } ?? 1
                pLow = min(pLow, sigmaP); pHigh = max(pHigh, sigmaP)
                gap = max(gap, abs(mq[r * zw + j] - muP) / sigmaP)
            }
        }
        return LatentRanges(sigmaQMin: qLow, sigmaQMax: qHigh, sigmaPMin: pLow, sigmaPMax: pHigh, largestGap: gap)
    }
}
