import Foundation

/// The pen head (Graves 2013; the VRNN paper's handwriting model). A frame is [dx, dy, p]: the
/// pen's offset and p = 1 when the pen lifts after this point. Parameter row (1 + 6K):
///     [e, K logits, mu (K x [mu_x, mu_y]), raw sigma (K x [x, y]), raw rho (K)]
/// p ~ Bernoulli(sigmoid(e)); (dx, dy) ~ sum_k pi_k N2(mu_k, sigma_k, rho_k) with
/// pi = softmax(logits), sigma = softplus(raw) + sigmaMin, rho = rhoLimit * tanh(raw rho).
/// The negative log-likelihood and its gradient are the C kernel `vk_pen_nll` (body_real_heads.h);
/// sampling is in OutputHeadSampling.swift.
extension OutputHead {
    /// |rho| stays below this, so 1 - rho^2 >= 2e-3 and the log-density stays finite.
    static let rhoLimit: Float = 0.999

    /// The correlation of component k from its raw value.
    @inline(__always)
    static func rho(_ raw: Float) -> Float { rhoLimit * tanhf(raw) }
}
