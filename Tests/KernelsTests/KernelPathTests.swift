import CKernels
import Foundation
import Kernels
import XCTest

/// Every kernel on every path this CPU supports against the portable path (plain C and libm).
///
/// Tolerance: SLEEF's u10 functions and glibc's are each within about 1 ulp (SLEEF's tanh, u35,
/// 3.5), so one call differs by at most ~4.5 ulp (5.4e-7 relative); a kernel chains up to four such calls and a few products
/// (FMA contraction also differs), and the row sums of the KL and the log-sum-exp add up to 128
/// terms in another order (lanes, then across them), n·eps ≈ 1e-5 relative at n = 128. So
/// outputs must agree to 2e-5 relative (absolute below 1): a wrong lane, mask, tail or formula
/// is off by far more.
final class KernelPathTests: XCTestCase {
    let tolerance: Float = 2e-5

    /// Sizes with and without a tail on the 8- and 16-float paths.
    let widths = [1, 7, 16, 37, 64]

    override func tearDown() { KernelPath.select(.best) }

    func random(_ count: Int, seed: UInt64, scale: Float = 4) -> [Float] {
        let buffer = FloatBuffer(count: count)
        CounterRandom(seed: seed, stream: 0).fillUniform(buffer.pointer, count: count, step: 0, t: 0, purpose: 0)
        return buffer.array.map { ($0 * 2 - 1) * scale }
    }

    /// Runs `kernel` on the portable path and on every other supported path, and compares the
    /// arrays it returns.
    func compare(_ what: String, _ kernel: () -> [[Float]]) {
        XCTAssertTrue(KernelPath.select(.portable))
        let reference = kernel()
        for path in KernelPath.supported where path != .portable {
            XCTAssertTrue(KernelPath.select(path))
            let outputs = kernel()
            for (k, (got, want)) in zip(outputs, reference).enumerated() {
                XCTAssertEqual(got.count, want.count)
                for (i, (a, b)) in zip(got, want).enumerated() where !(abs(a - b) <= tolerance * max(1, abs(b))) {
                    XCTFail("\(what) on \(path.name): output \(k)[\(i)] = \(a), portable \(b)")
                    break
                }
            }
        }
    }

    func testTheBestPathIsActiveAndEveryLowerOneSelectable() {
        XCTAssertEqual(KernelPath.active, KernelPath.best)
        XCTAssertEqual(KernelPath.supported.first, .portable)
        for path in KernelPath.supported { XCTAssertTrue(KernelPath.select(path)); XCTAssertEqual(KernelPath.active, path) }
        if KernelPath.best < .avx512 { XCTAssertFalse(KernelPath.select(.avx512)) }
    }

    func testActivations() {
        for n in widths {
            let x = random(n, seed: UInt64(n))
            let d = random(n, seed: UInt64(n) + 100)
            for (name, forward, backward) in [("relu", vk_relu_forward, vk_relu_backward), ("elu", vk_elu_forward, vk_elu_backward),
                                              ("tanh", vk_tanh_forward, vk_tanh_backward)] {
                compare("\(name) n=\(n)") {
                    var y = x, g = d
                    forward(&y, n)
                    backward(y, &g, n)
                    return [y, g]
                }
            }
        }
    }

    func testRowsHelpers() {
        for cols in widths {
            let bias = random(cols, seed: 1), x = random(5 * (cols + 3), seed: 2)
            compare("rows cols=\(cols)") {
                var c = [Float](repeating: 9, count: 4 * (cols + 2)), out = bias
                vk_broadcast_rows(bias, &c, 4, cols, cols + 2)
                vk_add_column_sums(x, 5, cols, cols + 3, &out)
                return [c, out]
            }
        }
    }

    func testRecurrentCells() {
        for h in widths {
            let rows = 3
            let gi = random(rows * 4 * h, seed: 3), gh = random(rows * 4 * h, seed: 4), prev = random(rows * h, seed: 5)
            let dh = random(rows * h, seed: 6), dc = random(rows * h, seed: 7)
            compare("gru h=\(h)") {
                var gates = [Float](repeating: 0, count: rows * 3 * h), hn = [Float](repeating: 0, count: rows * h)
                var out = [Float](repeating: 0, count: rows * h), d = dh
                var dgi = [Float](repeating: 0, count: rows * 3 * h), dgh = dgi
                vk_gru_forward(gi, gh, prev, &gates, &hn, &out, rows, h)
                vk_gru_backward(gates, hn, prev, &d, &dgi, &dgh, rows, h)
                return [gates, hn, out, d, dgi, dgh]
            }
            compare("lstm h=\(h)") {
                var gates = [Float](repeating: 0, count: rows * 4 * h), c = [Float](repeating: 0, count: rows * h)
                var out = c, d = dh, dcell = dc, dgi = gates
                vk_lstm_forward(gi, gh, prev, &gates, &c, &out, rows, h)
                vk_lstm_backward(gates, prev, c, &d, &dcell, &dgi, rows, h)
                return [gates, c, out, d, dcell, dgi]
            }
        }
    }

    /// Sampling, KL, ranges and backward of both posteriors. The raw sigmas are also shifted
    /// down and up (sigmas of 0.003-0.13 and 2-6), so that a lane past zw let into the ranges
    /// (sigma_q 1, sigma_p 0.69 there) would move an extreme.
    func testLatentGaussians() {
        for zw in widths {
            for shift: Float in [0, -4, 4] {
                let rows = 4
                // Rows [mu or a (zw), raw (zw)], raw shifted.
                let shifted = { (x: [Float]) in x.enumerated().map { $0.offset % (2 * zw) >= zw ? $0.element + shift : $0.element } }
                let q = shifted(random(rows * 2 * zw, seed: 8, scale: 2)), p = shifted(random(rows * 2 * zw, seed: 9, scale: 2))
                let eps = random(rows * zw, seed: 10), dz = random(rows * zw, seed: 11)
                for prior in [true, false] {
                    compare("latent zw=\(zw) shift=\(shift) prior=\(prior)") {
                        var z = [Float](repeating: 0, count: rows * zw), sigma = z, slope = z
                        var dq = [Float](repeating: 0, count: rows * 2 * zw), dp = dq
                        var kl = [Float](repeating: 0, count: rows), penalty = kl, ranges = [Float](repeating: 0, count: 5)
                        vk_sample_latent(q, eps, &z, &sigma, &slope, rows, zw, 1e-4)
                        dp.withUnsafeMutableBufferPointer { dpBuffer in
                            p.withUnsafeBufferPointer { pBuffer in
                                vk_gaussian_kl(q, sigma, prior ? pBuffer.baseAddress : nil, rows, zw, 1e-4, 0.3, 0.5, &dq,
                                               prior ? dpBuffer.baseAddress : nil, &kl, &penalty, &ranges)
                            }
                        }
                        // mu_q is q's first half.
                        let mu = (0..<rows).flatMap { r in q[(r * 2 * zw)..<(r * 2 * zw + zw)] }
                        checkRanges(ranges, mu: mu, sigma: sigma, prior: prior ? p : nil, rows: rows, zw: zw, "gaussian zw=\(zw) shift=\(shift)")
                        vk_reparameterisation_backward(slope, dz, eps, &dq, rows, zw)
                        return [z, sigma, slope, dq, dp, kl, penalty, ranges]
                    }
                    compare("residual latent zw=\(zw) shift=\(shift) prior=\(prior)") {
                        var z = [Float](repeating: 0, count: rows * zw), sigma = z, slope = z
                        var dq = [Float](repeating: 0, count: rows * 2 * zw), dp = dq
                        var kl = [Float](repeating: 0, count: rows), penalty = kl, ranges = [Float](repeating: 0, count: 5)
                        p.withUnsafeBufferPointer { pBuffer in
                            let pp = prior ? pBuffer.baseAddress : nil
                            vk_sample_latent_residual(q, pp, eps, &z, &sigma, &slope, rows, zw, 1e-4)
                            vk_residual_kl(q, sigma, rows, zw, 1e-4, 0.3, 0.5, &dq, &kl, &penalty, &ranges)
                            dp.withUnsafeMutableBufferPointer { vk_residual_backward(q, pp, eps, slope, dz, &dq, $0.baseAddress, rows, zw, 1e-4) }
                        }
                        // mu_q = mu_p + sigma_p a.
                        let mu = (0..<rows * zw).map { i -> Float in
                            let r = i / zw, j = i % zw
                            let mp = prior ? p[r * 2 * zw + j] : 0, sp = prior ? softplus(p[r * 2 * zw + zw + j]) + 1e-4 : 1
                            return mp + sp * q[r * 2 * zw + j]
                        }
                        checkRanges(ranges, mu: mu, sigma: sigma, prior: prior ? p : nil, rows: rows, zw: zw, "residual zw=\(zw) shift=\(shift)")
                        return [z, sigma, slope, dq, dp, kl, penalty, ranges]
                    }
                }
            }
        }
    }

    /// The KL kernels' latent ranges against their definition, in scalar code from mu_q, sigma_q
    /// and the prior's rows: [min sigma_q, max sigma_q, min sigma_p, max sigma_p, max |mu_q - mu_p| / sigma_p].
    /// The residual posterior's are derived from the values at hand (sigma_q / ratio, |a|), and
    /// sampling rounded mu_q and sigma_q: a relative 1e-5 covers that.
    func checkRanges(_ ranges: [Float], mu: [Float], sigma: [Float], prior p: [Float]?, rows: Int, zw: Int, _ what: String) {
        var gap: Float = 0, sigmaP: [Float] = []
        for r in 0..<rows {
            for j in 0..<zw {
                let sp = p.map { softplus($0[r * 2 * zw + zw + j]) + 1e-4 } ?? 1, mp = p?[r * 2 * zw + j] ?? 0
                sigmaP.append(sp)
                gap = max(gap, abs(mu[r * zw + j] - mp) / sp)
            }
        }
        let expected = [sigma.min()!, sigma.max()!, sigmaP.min()!, sigmaP.max()!, gap]
        for (name, (got, want)) in zip(["min sigma_q", "max sigma_q", "min sigma_p", "max sigma_p", "gap"], zip(ranges, expected)) {
            XCTAssertEqual(got, want, accuracy: 1e-5 * max(abs(want), 1), "latent ranges \(what): \(name)")
        }
    }

    func testCategoricalNLL() {
        for v in widths + [128] {
            let rows = 3, logits = random(rows * v, seed: 12, scale: 8)
            let tokens: [Int32] = (0..<rows).map { Int32(($0 * 5) % v) }
            compare("categorical v=\(v)") {
                var grad = [Float](repeating: 0, count: rows * v), nll = [Float](repeating: 0, count: rows)
                vk_categorical_nll(logits, tokens, rows, v, 0.25, &grad, &nll)
                return [grad, nll]
            }
        }
    }

    /// A row whose largest logit is infinite: +inf gives an infinite NLL, the finite logits no
    /// gradient but the one-hot part, the infinite one NaN; a row of -inf gives NaN throughout.
    func testCategoricalNLLWithInfiniteLogits() {
        for path in KernelPath.supported {
            XCTAssertTrue(KernelPath.select(path))
            for v in [3, 20] {
                var logits = [Float](repeating: 0.5, count: 2 * v)
                logits[1] = .infinity
                for i in v..<2 * v { logits[i] = -.infinity }
                var grad = [Float](repeating: 7, count: 2 * v), nll = [Float](repeating: 7, count: 2)
                vk_categorical_nll(logits, [0, 0], 2, v, 0.25, &grad, &nll)
                XCTAssertEqual(nll[0], .infinity, "\(path.name) v=\(v)")
                XCTAssertEqual(grad[0], -0.25, "\(path.name) v=\(v): the token's one-hot part")
                XCTAssertTrue(grad[1].isNaN, "\(path.name) v=\(v)")
                XCTAssertTrue((2..<v).allSatisfy { grad[$0] == 0 }, "\(path.name) v=\(v): \(grad[..<v])")
                XCTAssertTrue(nll[1].isNaN && grad[v...].allSatisfy(\.isNaN), "\(path.name) v=\(v): \(nll) \(grad[v...])")
            }
        }
    }

    /// Many rows in one call are the rows one by one (counter c1 + i for row i), whatever the
    /// chunk boundaries (a chunk holds 128 blocks), and nothing between the rows is written.
    func testNormalRowsAreTheRowsOneByOne() {
        let key: (UInt32, UInt32) = (0x1234_5678, 0x9ABC_DEF0)
        for (count, rows) in [(1, 3), (5, 7), (64, 300), (600, 2)] {
            let stride = count + 3
            compare("normal rows count=\(count) rows=\(rows)") {
                var together = [Float](repeating: .nan, count: rows * stride)
                vk_philox_normal_rows(key.0, key.1, 7, 3, 1, &together, count, rows, stride)
                for i in 0..<rows {
                    var one = [Float](repeating: 0, count: count)
                    vk_philox_normal_rows(key.0, key.1, 7, 3 + UInt32(i), 1, &one, count, 1, 0)
                    XCTAssertEqual(Array(together[(i * stride)..<(i * stride + count)]), one, "row \(i) of \(rows), count \(count)")
                    XCTAssertTrue(together[(i * stride + count)..<((i + 1) * stride)].allSatisfy(\.isNaN), "row \(i): past count")
                }
                return [together.map { $0.isNaN ? 0 : $0 }]
            }
        }
    }

    func testNormalsFollowPhiloxAndBoxMuller() {
        for count in [1, 3, 4, 37, 600] {
            compare("normals count=\(count)") {
                var out = [Float](repeating: 0, count: count)
                vk_philox_normal_rows(0x1234_5678, 0x9ABC_DEF0, 7, 3, 1, &out, count, 1, 0)
                return [out]
            }
        }
        // The C generator against Box-Muller in Double over the Swift Philox blocks.
        let key: (UInt32, UInt32) = (0x1234_5678, 0x9ABC_DEF0)
        var out = [Float](repeating: 0, count: 40)
        vk_philox_normal_rows(key.0, key.1, 7, 3, 1, &out, out.count, 1, 0)
        for i in out.indices {
            let block = Philox4x32.block(counter: (7, 3, 1, UInt32(i / 4)), key: key)
            let words = [block.0, block.1, block.2, block.3], pair = (i % 4) / 2
            let u = { (w: UInt32) in (Double(w) + 0.5) * 0x1p-32 }
            let radius = (-2 * log(u(words[2 * pair]))).squareRoot(), angle = 2 * Double.pi * u(words[2 * pair + 1])
            let expected = i % 2 == 0 ? radius * cos(angle) : radius * sin(angle)
            XCTAssertEqual(Double(out[i]), expected, accuracy: 2e-5 * max(1, abs(expected)), "normal \(i)")
        }
    }

    func testRealValuedHeads() {
        let rows = 21  // more than one 16-row block of the pen kernel, with a tail
        for d in [1, 3, 37] {
            let x = random(rows * d, seed: 20), bits = random(rows * d, seed: 21).map { $0 > 0 ? Float(1) : 0 }
            let gaussian = random(rows * 2 * d, seed: 22, scale: 2), logits = random(rows * d, seed: 23)
            compare("gaussian and bernoulli d=\(d)") {
                var g1 = [Float](repeating: 0, count: rows * 2 * d), g2 = [Float](repeating: 0, count: rows * d)
                var n1 = [Float](repeating: 0, count: rows), n2 = n1
                vk_gaussian_nll(gaussian, x, rows, d, 1e-3, 0.5, &g1, &n1)
                vk_bernoulli_nll(logits, bits, rows, d, 0.5, &g2, &n2)
                return [g1, n1, g2, n2]
            }
            for k in [1, 3] {
                let params = random(rows * k * (1 + 2 * d), seed: 24, scale: 2)
                compare("gmm d=\(d) k=\(k)") {
                    var grad = [Float](repeating: 0, count: params.count), nll = [Float](repeating: 0, count: rows)
                    vk_gmm_nll(params, x, rows, d, k, 1e-3, 0.5, &grad, &nll)
                    return [grad, nll]
                }
            }
        }
        for k in [1, 5] {
            var frames = random(rows * 3, seed: 25)
            for r in 0..<rows { frames[3 * r + 2] = frames[3 * r + 2] > 0 ? 1 : 0 }
            let params = random(rows * (1 + 6 * k), seed: 26, scale: 2)
            compare("pen k=\(k)") {
                var grad = [Float](repeating: 0, count: params.count), nll = [Float](repeating: 0, count: rows)
                vk_pen_nll(params, frames, rows, k, 1e-3, 0.999, 0.5, &grad, &nll)
                return [grad, nll]
            }
        }
    }

    /// A NaN going into an activation comes out as NaN on every path (it must reach the loss,
    /// where the run stops on it), and a NaN output leaves the incoming gradient alone.
    func testActivationsPropagateNaN() {
        defer { KernelPath.select(.best) }
        for path in KernelPath.supported {
            KernelPath.select(path)
            for (name, forward, backward) in [("relu", vk_relu_forward, vk_relu_backward), ("elu", vk_elu_forward, vk_elu_backward),
                                              ("tanh", vk_tanh_forward, vk_tanh_backward)] {
                var x: [Float] = [.nan, 1, -1, .nan, 0.5, 2, -3, 4, .nan] + Array(repeating: 1, count: 8)
                forward(&x, x.count)
                XCTAssertTrue(x[0].isNaN && x[3].isNaN && x[8].isNaN, "\(name) on \(path.name): \(x)")
                var d = [Float](repeating: 2, count: x.count)
                backward(x, &d, d.count)
                if name != "tanh" { XCTAssertEqual(d[0], 2, "\(name) backward on \(path.name)") }
            }
        }
    }
}
