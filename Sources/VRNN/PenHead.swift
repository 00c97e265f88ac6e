import Foundation
import Kernels

/// The pen head (Graves 2013; the VRNN paper's handwriting model). A frame is [dx, dy, p]: the
/// pen's offset and p = 1 when the pen lifts after this point. Parameter row (1 + 6K):
///     [e, K logits, mu (K x [mu_x, mu_y]), raw sigma (K x [x, y]), raw rho (K)]
/// p ~ Bernoulli(sigmoid(e)); (dx, dy) ~ sum_k pi_k N2(mu_k, sigma_k, rho_k) with
/// pi = softmax(logits), sigma = softplus(raw) + sigmaMin, rho = rhoLimit * tanh(raw rho).
extension OutputHead {
    /// |rho| stays below this, so 1 - rho^2 >= 2e-3 and the log-density stays finite.
    static let rhoLimit: Float = 0.999

    /// The correlation of component k from its raw value.
    @inline(__always)
    static func rho(_ raw: Float) -> Float { rhoLimit * tanhf(raw) }

    /// -log p(frame) = softplus(e) - p e  -  lse_k a_k, where
    ///   a_k = log pi_k - log(2 pi sx sy sqrt(q)) - Z / (2 q),  q = 1 - rho^2,
    ///   Z = zx^2 + zy^2 - 2 rho zx zy,  zx = (dx - mu_x) / sx,  zy = (dy - mu_y) / sy.
    /// With responsibilities gamma = softmax(a), each component's parameters get gamma_k times
    ///   d(-a)/d mu_x = -(zx - rho zy) / (q sx)       d(-a)/d sx = 1/sx - zx (zx - rho zy) / (q sx)
    ///   d(-a)/d mu_y = -(zy - rho zx) / (q sy)       d(-a)/d sy = 1/sy - zy (zy - rho zx) / (q sy)
    ///   d(-a)/d rho  = -(rho + zx zy) / q + rho Z / q^2
    /// and the logits pi_k - gamma_k.
    func pen(_ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ grad: UnsafeMutablePointer<Float>?, _ scale: Float) -> Float {
        let k = mixtures
        let penUp = x + 2
        let strokeLoss = bernoulli(p, penUp, grad, scale, count: 1)
        let logits = p + 1, mu = logits + k, rawSigma = mu + 2 * k, rawRho = rawSigma + 2 * k
        // Each component is evaluated once; the gradient loop reads the same values.
        let offsetLoss = withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { a -> Float in
            withUnsafeTemporaryAllocation(of: Bivariate.self, capacity: k) { components -> Float in
                let a = a.baseAddress!, components = components.baseAddress!
                let logitLSE = logSumExp(logits, count: k)
                for c in 0..<k {
                    (components + c).initialize(to: Bivariate(x, mu + 2 * c, rawSigma + 2 * c, rawRho[c], sigmaMin))
                    a[c] = logits[c] - logitLSE - components[c].negativeLogDensity
                }
                let total = logSumExp(a, count: k)
                guard let grad else { return -total }
                let dLogits = grad + 1, dMu = dLogits + k, dSigma = dMu + 2 * k, dRho = dSigma + 2 * k
                for c in 0..<k {
                    let g = components[c]
                    let weight = scale * expf(a[c] - total)
                    dLogits[c] = scale * expf(logits[c] - logitLSE) - weight
                    let ax = g.zx - g.rho * g.zy, ay = g.zy - g.rho * g.zx
                    dMu[2 * c] = -weight * ax / (g.q * g.sx)
                    dMu[2 * c + 1] = -weight * ay / (g.q * g.sy)
                    dSigma[2 * c] = weight * (1 / g.sx - g.zx * ax / (g.q * g.sx)) * DiagonalGaussian.sigmaSlope(rawSigma[2 * c])
                    dSigma[2 * c + 1] = weight * (1 / g.sy - g.zy * ay / (g.q * g.sy)) * DiagonalGaussian.sigmaSlope(rawSigma[2 * c + 1])
                    let t = tanhf(rawRho[c])  // d rho / d raw = rhoLimit (1 - tanh^2(raw))
                    dRho[c] = weight * (-(g.rho + g.zx * g.zy) / g.q + g.rho * g.mahalanobis / (g.q * g.q)) * Self.rhoLimit * (1 - t * t)
                }
                return -total
            }
        }
        return strokeLoss + offsetLoss
    }
}

/// One bivariate Gaussian component evaluated at a point.
struct Bivariate {
    let sx: Float, sy: Float, rho: Float, q: Float, zx: Float, zy: Float
    /// Z = zx^2 + zy^2 - 2 rho zx zy.
    let mahalanobis: Float

    @inline(__always)
    init(_ x: UnsafePointer<Float>, _ mu: UnsafePointer<Float>, _ rawSigma: UnsafePointer<Float>, _ rawRho: Float, _ floor: Float) {
        sx = DiagonalGaussian.sigma(rawSigma[0], floor: floor)
        sy = DiagonalGaussian.sigma(rawSigma[1], floor: floor)
        rho = OutputHead.rho(rawRho)
        q = 1 - rho * rho
        zx = (x[0] - mu[0]) / sx
        zy = (x[1] - mu[1]) / sy
        mahalanobis = zx * zx + zy * zy - 2 * rho * zx * zy
    }

    /// log(2 pi sx sy sqrt(q)) + Z / (2 q).
    @inline(__always)
    var negativeLogDensity: Float { 2 * DiagonalGaussian.halfLog2Pi + logf(sx) + logf(sy) + 0.5 * logf(q) + 0.5 * mahalanobis / q }
}
