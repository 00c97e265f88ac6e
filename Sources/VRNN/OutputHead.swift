import CKernels
import Foundation
import Kernels

/// The decoder's output distribution p(x_t | z_t, h_{t-1}) and its negative log-likelihood.
/// Parameter rows (width `config.headWidth`):
///   categorical  [V logits]
///   gaussian     [mu (D), raw sigma (D)]
///   bernoulli    [D logits]
///   gmm          [K mixture logits, mu (K*D, component-major), raw sigma (K*D)]
///   pen          [pen-up logit, K mixture logits, mu (K*2), raw sigma (K*2), raw rho (K)]  (PenHead.swift)
public struct OutputHead: Sendable {
    public let kind: ModelConfig.Head
    public let dim: Int
    public let mixtures: Int
    public let sigmaMin: Float

    public init(_ config: ModelConfig) {
        kind = config.head; dim = config.inputSize; mixtures = config.mixtures; sigmaMin = config.sigmaMin
    }

    /// -log p(x | params) in nats. With `grad`, writes scale * d nll / d params into it.
    @inline(__always)
    public func nll(_ params: UnsafePointer<Float>, token: Int32, frame: UnsafePointer<Float>?,
                    grad: UnsafeMutablePointer<Float>?, scale: Float) -> Float {
        switch kind {
        case .categorical: return categorical(params, Int(token), grad, scale)
        case .gaussian: return gaussian(params, frame!, grad, scale)
        case .bernoulli: return bernoulli(params, frame!, grad, scale)
        case .gmm: return mixture(params, frame!, grad, scale)
        case .pen: return pen(params, frame!, grad, scale)
        }
    }

    /// lse(l) - l[x];  d/dl = softmax(l) - onehot(x). (Training computes all rows at once with
    /// the same kernel, in `computeLosses`.)
    private func categorical(_ l: UnsafePointer<Float>, _ x: Int, _ grad: UnsafeMutablePointer<Float>?, _ scale: Float) -> Float {
        var token = Int32(x), nll: Float = 0
        vk_categorical_nll(l, &token, 1, dim, scale, grad, &nll)
        return nll
    }

    /// sum_d log(2 pi)/2 + log sigma + (x - mu)^2 / (2 sigma^2).
    private func gaussian(_ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ grad: UnsafeMutablePointer<Float>?, _ scale: Float) -> Float {
        var total: Float = 0
        for d in 0..<dim {
            let mu = p[d], raw = p[dim + d]
            let sigma = DiagonalGaussian.sigma(raw, floor: sigmaMin)
            let diff = x[d] - mu
            let invVar = 1 / (sigma * sigma)
            total += DiagonalGaussian.halfLog2Pi + logf(sigma) + 0.5 * diff * diff * invVar
            if let grad {
                grad[d] = -scale * diff * invVar
                grad[dim + d] = scale * (1 / sigma - diff * diff * invVar / sigma) * DiagonalGaussian.sigmaSlope(raw)
            }
        }
        return total
    }

    /// sum_d softplus(l) - x l;  d/dl = sigmoid(l) - x.
    func bernoulli(_ l: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ grad: UnsafeMutablePointer<Float>?, _ scale: Float,
                   count: Int? = nil) -> Float {
        var total: Float = 0
        for d in 0..<(count ?? dim) {
            total += softplus(l[d]) - x[d] * l[d]
            grad?[d] = scale * (sigmoid(l[d]) - x[d])
        }
        return total
    }

    /// -lse_k(a_k) with a_k = log pi_k + sum_d log N(x_d; mu_kd, sigma_kd), log pi = log softmax(logits).
    /// With responsibilities gamma = softmax(a):  d/dlogit_k = pi_k - gamma_k,
    /// d/dmu_kd = -gamma_k (x - mu)/sigma^2,  d/dsigma_kd = gamma_k (1/sigma - (x - mu)^2/sigma^3).
    private func mixture(_ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ grad: UnsafeMutablePointer<Float>?, _ scale: Float) -> Float {
        let k = mixtures, d = dim
        let mu = p + k, raw = p + k + k * d
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { a in
            let a = a.baseAddress!
            let logitLSE = logSumExp(p, count: k)
            for c in 0..<k {
                var logDensity: Float = 0
                for j in 0..<d {
                    let sigma = DiagonalGaussian.sigma(raw[c * d + j], floor: sigmaMin)
                    let diff = x[j] - mu[c * d + j]
                    logDensity -= DiagonalGaussian.halfLog2Pi + logf(sigma) + 0.5 * diff * diff / (sigma * sigma)
                }
                a[c] = p[c] - logitLSE + logDensity
            }
            let total = logSumExp(a, count: k)
            if let grad {
                for c in 0..<k {
                    let gamma = expf(a[c] - total)
                    grad[c] = scale * (expf(p[c] - logitLSE) - gamma)
                    for j in 0..<d {
                        let r = raw[c * d + j]
                        let sigma = DiagonalGaussian.sigma(r, floor: sigmaMin)
                        let diff = x[j] - mu[c * d + j]
                        let invVar = 1 / (sigma * sigma)
                        grad[k + c * d + j] = -scale * gamma * diff * invVar
                        grad[k + k * d + c * d + j] = scale * gamma * (1 / sigma - diff * diff * invVar / sigma)
                            * DiagonalGaussian.sigmaSlope(r)
                    }
                }
            }
            return -total
        }
    }
}
