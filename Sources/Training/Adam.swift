import Foundation
import Kernels

/// Adam's hyper-parameters, with PyTorch's defaults.
public struct AdamConfig: Codable, Equatable, Sendable {
    /// How `weightDecay` acts: decoupled from the gradient (torch.optim.AdamW) or as an L2
    /// penalty added to it (torch.optim.Adam's `weight_decay`).
    public enum DecayStyle: String, Codable, CaseIterable, Sendable { case adamw, l2 }

    public var learningRate: Float = 1e-3
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0
    public var decayStyle: DecayStyle = .adamw
    public init() {}

    private enum CodingKeys: String, CodingKey { case learningRate, beta1, beta2, epsilon, weightDecay, decayStyle }

    /// Configurations written before `decayStyle` existed meant an L2 penalty.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        beta1 = try c.decode(Float.self, forKey: .beta1)
        beta2 = try c.decode(Float.self, forKey: .beta2)
        epsilon = try c.decode(Float.self, forKey: .epsilon)
        weightDecay = try c.decode(Float.self, forKey: .weightDecay)
        decayStyle = try c.decodeIfPresent(DecayStyle.self, forKey: .decayStyle) ?? .l2
    }
}

/// Adam over the flat parameter buffer with PyTorch's semantics (torch.optim.Adam, bias
/// correction on). m and v share the parameters' layout; one loop updates every tensor.
public final class Adam {
    public var config: AdamConfig
    public let m: FloatBuffer
    public let v: FloatBuffer
    public internal(set) var step: Int = 0

    public init(parameterCount: Int, config: AdamConfig) {
        self.config = config
        m = FloatBuffer(count: parameterCount)
        v = FloatBuffer(count: parameterCount)
    }

    /// One step at `learningRate` (the schedule's current value), as PyTorch's Adam and AdamW:
    ///     l2:    g' = g + wd * p                    adamw: p *= 1 - lr * wd;  g' = g
    ///     m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2
    ///     p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    public func update(parameters: FloatBuffer, gradient: FloatBuffer, learningRate: Float) {
        precondition(parameters.count == m.count && gradient.count == m.count)
        step += 1
        let c = config
        let correction1 = 1 - pow(Double(c.beta1), Double(step))
        let correction2 = 1 - pow(Double(c.beta2), Double(step))
        let stepSize = Float(Double(learningRate) / correction1)
        let inverseSqrtCorrection2 = Float(1 / correction2.squareRoot())
        let l2 = c.decayStyle == .l2 ? c.weightDecay : 0
        let shrink = c.decayStyle == .adamw ? 1 - learningRate * c.weightDecay : 1
        let p = parameters.pointer, g = gradient.pointer, m = m.pointer, v = v.pointer
        for i in 0..<parameters.count {
            let grad = g[i] + l2 * p[i]
            p[i] *= shrink
            m[i] += (1 - c.beta1) * (grad - m[i])
            v[i] = c.beta2 * v[i] + (1 - c.beta2) * grad * grad
            p[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseSqrtCorrection2 + c.epsilon)
        }
    }
}

/// Global-norm clipping as torch.nn.utils.clip_grad_norm_: g *= min(1, maxNorm / (||g|| + 1e-6)).
/// Returns the norm before clipping.
@discardableResult
public func clipGlobalNorm(_ gradient: FloatBuffer, maxNorm: Float) -> Double {
    let norm = sumOfSquares(gradient.pointer, count: gradient.count).squareRoot()
    let coefficient = Float(min(1, Double(maxNorm) / (norm + 1e-6)))
    if coefficient < 1 {
        for i in 0..<gradient.count { gradient[i] *= coefficient }
    }
    return norm
}
