import CKernels

/// Element-wise nonlinearity of the MLPs. Backward is written in terms of the output y, so the
/// pre-activation never has to be kept: relu' = [y > 0], elu' = y > 0 ? 1 : y + 1, tanh' = 1 - y^2.
public enum Activation: String, Codable, CaseIterable, Sendable {
    case relu, elu, tanh

    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: vk_relu_forward(x, count)
        case .elu: vk_elu_forward(x, count)
        case .tanh: vk_tanh_forward(x, count)
        }
    }

    /// d[i] <- d[i] * f'(pre_i), with f' expressed through y = f(pre).
    public func backward(output y: UnsafePointer<Float>, grad d: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: vk_relu_backward(y, d, count)
        case .elu: vk_elu_backward(y, d, count)
        case .tanh: vk_tanh_backward(y, d, count)
        }
    }
}
