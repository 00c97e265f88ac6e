import Foundation
import Kernels
import XCTest

/// Activations, softplus, sigmoid, log-sum-exp and sums against naive formulas, including the
/// large magnitudes where the naive formulas overflow, and NaN propagation.
final class ElementwiseTests: XCTestCase {
    let inputs: [Float] = [-120, -30, -5, -1, -1e-3, 0, 1e-3, 0.5, 1, 5, 30, 120]

    func testActivationsAndTheirDerivativesMatchNaiveFormulas() {
        for activation in Activation.allCases {
            let y = FloatBuffer(inputs)
            activation.apply(y.pointer, count: y.count)
            let d = FloatBuffer([Float](repeating: 1, count: inputs.count))
            activation.backward(output: y.pointer, grad: d.pointer, count: d.count)
            for (i, x) in inputs.enumerated() {
                let (value, slope): (Double, Double)
                switch activation {
                case .relu: (value, slope) = (max(Double(x), 0), x > 0 ? 1 : 0)
                case .elu: (value, slope) = (x > 0 ? Double(x) : Foundation.exp(Double(x)) - 1, x > 0 ? 1 : Foundation.exp(Double(x)))
                case .tanh: (value, slope) = (Foundation.tanh(Double(x)), 1 - Foundation.tanh(Double(x)) * Foundation.tanh(Double(x)))
                }
                XCTAssertEqual(Double(y[i]), value, accuracy: 1e-6 * max(1, abs(value)), "\(activation) at \(x)")
                XCTAssertEqual(Double(d[i]), slope, accuracy: 1e-6, "\(activation)' at \(x)")
            }
        }
    }

    func testSoftplusAndSigmoidAreStableAtLargeMagnitudes() {
        for x in inputs {
            let naiveSoftplus = Foundation.log1p(Foundation.exp(Double(x)))  // inf for x = 120 in Float
            let expected = x > 30 ? Double(x) : naiveSoftplus
            XCTAssertEqual(Double(softplus(x)), expected, accuracy: 1e-6 * max(1, abs(expected)), "softplus(\(x))")
            XCTAssertTrue(softplus(x).isFinite)
            let s = Double(sigmoid(x))
            XCTAssertEqual(s, 1 / (1 + Foundation.exp(-Double(x))), accuracy: 1e-7, "sigmoid(\(x))")
            XCTAssertTrue((0...1).contains(s))
        }
        // exp(100) overflows Float: the naive formula would give inf.
        XCTAssertTrue(log1pf(expf(100)).isInfinite)
        XCTAssertEqual(softplus(100), 100)
        XCTAssertEqual(sigmoid(-100), 0, accuracy: 1e-30)
    }

    func testLogSumExpMatchesDoubleAndSurvivesOverflow() {
        let x = FloatBuffer([1, 2, 3, -4])
        let expected = Foundation.log([1.0, 2, 3, -4].map { Foundation.exp($0) }.reduce(0, +))
        XCTAssertEqual(Double(logSumExp(x.pointer, count: 4)), expected, accuracy: 1e-6)
        let big = FloatBuffer([1000, 1000, 999])    // exp(1000) overflows even in Double
        XCTAssertEqual(logSumExp(big.pointer, count: 3), 1000 + logf(2 + expf(-1)), accuracy: 1e-3)
        let tiny = FloatBuffer([-1000, -1001])
        XCTAssertEqual(logSumExp(tiny.pointer, count: 2), -1000 + logf(1 + expf(-1)), accuracy: 1e-3)
        let strided = FloatBuffer([0, 99, 0, 99])   // every other entry
        XCTAssertEqual(logSumExp(strided.pointer, count: 2, stride: 2), logf(2), accuracy: 1e-6)
        let allNegativeInfinity = FloatBuffer([-.infinity, -.infinity])
        let withNaN = FloatBuffer([1, .nan])
        let withInfinity = FloatBuffer([1, .infinity])
        withExtendedLifetime((allNegativeInfinity, withNaN, withInfinity)) {
            XCTAssertEqual(logSumExp(allNegativeInfinity.pointer, count: 2), -.infinity)
            XCTAssertTrue(logSumExp(withNaN.pointer, count: 2).isNaN)
            XCTAssertEqual(logSumExp(withInfinity.pointer, count: 2), .infinity)
        }
    }

    func testSumsAccumulateInDouble() {
        // 1e8 + 1 + ... in Float loses the ones; the Double accumulator keeps them.
        let x = FloatBuffer([1e8] + [Float](repeating: 1, count: 1000))
        XCTAssertEqual(sum(x.pointer, count: x.count), 1e8 + 1000)
        let pair = FloatBuffer([3, 4])
        withExtendedLifetime((x, pair)) {
            XCTAssertEqual(sumOfSquares(pair.pointer, count: 2), 25)
        }
    }
}
