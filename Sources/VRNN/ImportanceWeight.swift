import Foundation
import Kernels

extension WindowWorkspace {
    /// log p(z_t | h_{t-1}) - log q(z_t | x_t, h_{t-1}) for row r's sampled z of the last forward
    /// pass (0 for the RNN baseline). With z = mu_q + sigma_q * eps:
    ///     log q(z) = sum_j -eps_j^2 / 2 - log sigma_q,j - log(2 pi) / 2
    ///     log p(z) = sum_j -((z_j - mu_p,j) / sigma_p,j)^2 / 2 - log sigma_p,j - log(2 pi) / 2
    /// (mu_p = 0, sigma_p = 1 for VRNN-I). Summed over t with -NLL it is the log importance weight
    /// of a whole sampled path: log p(x, z) - log q(z | x).
    public func latentLogRatio(row r: Int) -> Double {
        let c = model.config, zw = c.latent
        guard c.hasLatent else { return 0 }
        let p = prior.map { $0.output + r * 2 * zw }, sq = sigmaQ.pointer + r * zw
        let zr = z.pointer + r * zw, eps = noise.pointer + r * zw
        var total = 0.0
        for j in 0..<zw {
            let sigmaQ = sq[j]
            let muP = p?[j] ?? 0, sigmaP = p.map { DiagonalGaussian.sigma($0[zw + j], floor: c.sigmaMin) } ?? 1
            let standardised = Double((zr[j] - muP) / sigmaP)
            total += -0.5 * standardised * standardised - Double(logf(sigmaP)) + 0.5 * Double(eps[j] * eps[j]) + Double(logf(sigmaQ))
        }
        return total
    }
}
