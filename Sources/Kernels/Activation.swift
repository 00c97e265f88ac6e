import Foundation

/// Element-wise nonlinearity of the MLPs. Backward is written in terms of the output y, so the
/// pre-activation never has to be kept: relu' = [y > 0], elu' = y > 0 ? 1 : y + 1, tanh' = 1 - y^2.
public enum Activation: String, Codable, CaseIterable, Sendable {
    case relu, elu, tanh

    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0..<count { x[i] = max(x[i], 0) }
        case .elu: for i in 0..<count { x[i] = x[i] > 0 ? x[i] : expm1f(x[i]) }
        case .tanh: for i in 0..<count { x[i] = tanhf(x[i]) }
        }
    }

    /// d[i] <- d[i] * f'(pre_i), with f' expressed through y = f(pre).
    public func backward(output y: UnsafePointer<Float>, grad d: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0..<count where y[i] <= 0 { d[i] = 0 }
        case .elu: for i in 0..<count where y[i] <= 0 { d[i] *= y[i] + 1 }
        case .tanh: for i in 0..<count { d[i] *= 1 - y[i] * y[i] }
        }
    }
}
