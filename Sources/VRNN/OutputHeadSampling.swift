import Foundation
import Kernels

extension OutputHead {
    /// Random numbers one draw needs per row: uniforms and standard normals.
    public var samplingWidth: Int { max(dim, 1) + 1 }

    /// Draws x ~ p(x | params) at `temperature` (0 picks the mode or mean):
    ///   categorical  softmax(logits / T), by inverse CDF on one uniform
    ///   gaussian     mu + T sigma eps
    ///   bernoulli    x_d = 1 when u_d < sigmoid(l_d / T)
    ///   gmm          component k ~ softmax(logits / T), then mu_k + T sigma_k eps
    ///   pen          pen-up ~ Bernoulli(sigmoid(e / T)); k ~ softmax(logits / T), then
    ///                (dx, dy) = mu_k + T (sx n0, sy (rho n0 + sqrt(1 - rho^2) n1))
    /// Returns the token (categorical) or writes the frame [dim]. `uniforms` and `normals` hold
    /// `samplingWidth` numbers each.
    public func sample(_ params: UnsafePointer<Float>, temperature: Float, uniforms: UnsafePointer<Float>,
                       normals: UnsafePointer<Float>, frame: UnsafeMutablePointer<Float>?) -> Int32 {
        switch kind {
        case .categorical:
            return Int32(pick(params, count: dim, temperature: temperature, uniform: uniforms[0]))
        case .gaussian:
            for d in 0..<dim { frame![d] = params[d] + temperature * DiagonalGaussian.sigma(params[dim + d], floor: sigmaMin) * normals[d] }
        case .bernoulli:
            for d in 0..<dim { frame![d] = bit(params[d], temperature: temperature, uniform: uniforms[d + 1]) }
        case .gmm:
            let k = pick(params, count: mixtures, temperature: temperature, uniform: uniforms[0])
            let mu = params + mixtures + k * dim, raw = params + mixtures + mixtures * dim + k * dim
            for d in 0..<dim { frame![d] = mu[d] + temperature * DiagonalGaussian.sigma(raw[d], floor: sigmaMin) * normals[d] }
        case .pen:
            frame![2] = bit(params[0], temperature: temperature, uniform: uniforms[1])
            let k = pick(params + 1, count: mixtures, temperature: temperature, uniform: uniforms[0])
            let mu = params + 1 + mixtures + 2 * k, raw = params + 1 + 3 * mixtures + 2 * k
            let sx = DiagonalGaussian.sigma(raw[0], floor: sigmaMin), sy = DiagonalGaussian.sigma(raw[1], floor: sigmaMin)
            let rho = Self.rho(params[1 + 5 * mixtures + k])
            frame![0] = mu[0] + temperature * sx * normals[0]
            frame![1] = mu[1] + temperature * sy * (rho * normals[0] + (1 - rho * rho).squareRoot() * normals[1])
        }
        return 0
    }

    /// 1 with probability sigmoid(logit / T) (when the logit is positive at T = 0), else 0.
    private func bit(_ logit: Float, temperature: Float, uniform: Float) -> Float {
        let p: Float = temperature == 0 ? (logit > 0 ? 1 : 0) : sigmoid(logit / temperature)
        return uniform < p ? 1 : 0
    }

    /// An index drawn from softmax(logits / T) (the arg max when T = 0).
    private func pick(_ logits: UnsafePointer<Float>, count: Int, temperature: Float, uniform: Float) -> Int {
        var best = 0
        for i in 1..<max(count, 1) where logits[i] > logits[best] { best = i }
        guard temperature > 0 else { return best }
        var total: Double = 0
        for i in 0..<count { total += exp(Double((logits[i] - logits[best]) / temperature)) }
        var cumulative: Double = 0
        let target = Double(uniform) * total
        for i in 0..<count {
            cumulative += exp(Double((logits[i] - logits[best]) / temperature))
            if target < cumulative { return i }
        }
        return count - 1
    }
}
