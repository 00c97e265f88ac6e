import Foundation
import Kernels

/// Gaussians are parameterised by a row [mu (n), raw (n)] with sigma = softplus(raw) + sigmaMin:
/// the floor keeps log sigma and 1/sigma finite however far raw is pushed. The KL between two
/// of them, with its gradients, is the C kernel `vk_gaussian_kl`.
enum DiagonalGaussian {
    @inline(__always)
    static func sigma(_ raw: Float, floor: Float) -> Float { softplus(raw) + floor }

    /// d sigma / d raw = sigmoid(raw).
    @inline(__always)
    static func sigmaSlope(_ raw: Float) -> Float { sigmoid(raw) }
}
