import Foundation
import Kernels

/// Gaussians are parameterised by a row [mu (n), raw (n)] with sigma = softplus(raw) + sigmaMin:
/// the floor keeps log sigma and 1/sigma finite however far raw is pushed.
enum DiagonalGaussian {
    static let halfLog2Pi: Float = 0.918_938_5

    @inline(__always)
    static func sigma(_ raw: Float, floor: Float) -> Float { softplus(raw) + floor }

    /// d sigma / d raw = sigmoid(raw).
    @inline(__always)
    static func sigmaSlope(_ raw: Float) -> Float { sigmoid(raw) }

    /// KL(N(mq, sq^2) || N(mp, sp^2)) per dimension:
    ///     KL_i = log sp - log sq + (sq^2 + (mq - mp)^2) / (2 sp^2) - 1/2
    /// Returns the sum of KL_i and the free-bits penalty sum_i max(KL_i, freeNats). With `grads`,
    /// adds scale * d penalty / d (mq, sq, mp, sp) into them (any may be nil): a dimension below
    /// its free nats contributes a constant and no gradient.
    @inline(__always)
    static func kl(n: Int,
                   muQ: UnsafePointer<Float>, sigmaQ: UnsafePointer<Float>,
                   muP: UnsafePointer<Float>?, sigmaP: UnsafePointer<Float>?,
                   freeNats: Float = 0, scale: Float = 0,
                   dMuQ: UnsafeMutablePointer<Float>? = nil, dSigmaQ: UnsafeMutablePointer<Float>? = nil,
                   dMuP: UnsafeMutablePointer<Float>? = nil, dSigmaP: UnsafeMutablePointer<Float>? = nil) -> (kl: Float, penalty: Float) {
        var total: Float = 0, penalty: Float = 0
        for i in 0..<n {
            let mp = muP?[i] ?? 0, sp = sigmaP?[i] ?? 1
            let mq = muQ[i], sq = sigmaQ[i]
            let diff = mq - mp
            let invVarP = 1 / (sp * sp)
            let klI = logf(sp) - logf(sq) + (sq * sq + diff * diff) * 0.5 * invVarP - 0.5
            total += klI
            guard klI >= freeNats else { penalty += freeNats; continue }
            penalty += klI
            dMuQ?[i] += scale * diff * invVarP
            dSigmaQ?[i] += scale * (sq * invVarP - 1 / sq)
            dMuP?[i] -= scale * diff * invVarP
            dSigmaP?[i] += scale * (1 / sp - (sq * sq + diff * diff) * invVarP / sp)
        }
        return (total, penalty)
    }
}
