import CKernels

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

    /// -log p(x_r | params_r) for every row into nll[rows] (nats); with `grad`, writes
    /// scale * d nll / d params there. `tokens` [rows] for categorical data, `frames` [rows, D]
    /// otherwise. The densities and their gradients are C kernels (Sources/CKernels, body_heads.h
    /// and body_real_heads.h).
    public func nll(rows: Int, params: UnsafePointer<Float>, tokens: UnsafePointer<Int32>?, frames: UnsafePointer<Float>?,
                    grad: UnsafeMutablePointer<Float>?, scale: Float, into nll: UnsafeMutablePointer<Float>) {
        switch kind {
        case .categorical: vk_categorical_nll(params, tokens!, rows, dim, scale, grad, nll)
        case .gaussian: vk_gaussian_nll(params, frames!, rows, dim, sigmaMin, scale, grad, nll)
        case .bernoulli: vk_bernoulli_nll(params, frames!, rows, dim, scale, grad, nll)
        case .gmm: vk_gmm_nll(params, frames!, rows, dim, mixtures, sigmaMin, scale, grad, nll)
        case .pen: vk_pen_nll(params, frames!, rows, mixtures, sigmaMin, Self.rhoLimit, scale, grad, nll)
        }
    }
}
