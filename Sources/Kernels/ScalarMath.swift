import Foundation

/// Numerically stable scalar functions used by the output heads and the recurrent cells.

@inlinable @inline(__always)
public func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): finite for every finite x.
@inlinable @inline(__always)
public func softplus(_ x: Float) -> Float {
    max(x, 0) + log1pf(expf(-abs(x)))
}

/// log(sum_i e^{x_i}) over a strided vector, shifted by the maximum so no term overflows.
/// Returns -inf for an all -inf input and propagates NaN.
@inlinable @inline(__always)
public func logSumExp(_ x: UnsafePointer<Float>, count: Int, stride: Int = 1) -> Float {
    var m = -Float.infinity
    for i in 0..<count {
        let v = x[i * stride]
        if v.isNaN { return .nan }
        m = max(m, v)
    }
    if m == -.infinity || m == .infinity { return m }
    var s: Float = 0
    for i in 0..<count { s += expf(x[i * stride] - m) }
    return m + logf(s)
}

/// sum_i x_i^2, accumulated in Double so that the norm of a million-entry gradient is exact
/// enough to make clipping deterministic across summation orders that differ only in rounding.
public func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
    var s: Double = 0
    for i in 0..<count { s += Double(x[i]) * Double(x[i]) }
    return s
}

/// sum_i x_i accumulated in Double.
public func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
    var s: Double = 0
    for i in 0..<count { s += Double(x[i]) }
    return s
}
