import CKernels
import Foundation

/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
/// counter-based generator. The output is a pure function of (key, counter), so any rank can
/// produce the numbers of any global stream at any step without sharing state.
public enum Philox4x32 {
    public typealias Block = (UInt32, UInt32, UInt32, UInt32)

    private static let m0: UInt64 = 0xD251_1F53
    private static let m1: UInt64 = 0xCD9E_8D57
    private static let w0: UInt32 = 0x9E37_79B9
    private static let w1: UInt32 = 0xBB67_AE85

    /// Ten rounds of the Philox S-box on `counter` under `key`.
    public static func block(counter: Block, key: (UInt32, UInt32)) -> Block {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 { k = (k.0 &+ w0, k.1 &+ w1) }
            let p0 = m0 &* UInt64(c.0)
            let p1 = m1 &* UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0))
        }
        return c
    }
}

/// SplitMix64 finaliser: a bijective 64-bit mixer used to turn (seed, stream) into a Philox key.
@inline(__always)
public func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The random numbers of one global stream of one run. The key is a mix of (seed, stream index);
/// the counter is (step, t, purpose, block), so the numbers a stream sees at a given step and time
/// do not depend on how streams are spread over ranks.
public struct CounterRandom: Sendable {
    public let key: (UInt32, UInt32)

    public init(seed: UInt64, stream: UInt64) {
        let k = splitMix64(seed ^ splitMix64(stream))
        key = (UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32))
    }

    /// Uniform numbers in the open interval (0, 1): 4 per Philox block.
    public func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, step: UInt32, t: UInt32, purpose: UInt32) {
        fill(out, count: count, step: step, t: t, purpose: purpose) { r in
            (Self.unitInterval(r.0), Self.unitInterval(r.1), Self.unitInterval(r.2), Self.unitInterval(r.3))
        }
    }

    /// Standard normal numbers by Box-Muller in Double: each block of 4 words gives 4 normals,
    /// the same on every CPU. Initialisation, generated datasets and sampling use these, so a
    /// seed means the same numbers everywhere.
    public func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, step: UInt32, t: UInt32, purpose: UInt32) {
        fill(out, count: count, step: step, t: t, purpose: purpose) { r in
            let a = Self.boxMuller(r.0, r.1), b = Self.boxMuller(r.2, r.3)
            return (a.0, a.1, b.0, b.1)
        }
    }

    /// The same normals computed in Float by the C kernels (`vk_philox_normal_rows`, SLEEF on the
    /// vector paths), many times faster: the latent noise of training and evaluation. They agree
    /// with `fillNormal` to a few ulps and differ between kernel paths in the last bits, which
    /// is why ranks agree on one path. `rows` rows of `count` for t, t + 1, ... at `out`,
    /// `out + stride`, ...: one call fills a stream's noise for a whole window.
    public func fillNormalVectorised(_ out: UnsafeMutablePointer<Float>, count: Int, rows: Int = 1, stride: Int = 0,
                                     step: UInt32, t: UInt32, purpose: UInt32) {
        vk_philox_normal_rows(key.0, key.1, step, t, purpose, out, count, rows, stride)
    }

    /// Writes `count` numbers, 4 per block, from blocks (step, t, purpose, 0), (step, t, purpose, 1), ...
    @inline(__always)
    private func fill(_ out: UnsafeMutablePointer<Float>, count: Int, step: UInt32, t: UInt32, purpose: UInt32,
                      _ transform: (Philox4x32.Block) -> (Double, Double, Double, Double)) {
        var i = 0
        var blockIndex: UInt32 = 0
        while i < count {
            let v = transform(Philox4x32.block(counter: (step, t, purpose, blockIndex), key: key))
            out[i] = Float(v.0)
            if i + 1 < count { out[i + 1] = Float(v.1) }
            if i + 2 < count { out[i + 2] = Float(v.2) }
            if i + 3 < count { out[i + 3] = Float(v.3) }
            i += 4
            blockIndex += 1
        }
    }

    @inline(__always)
    static func unitInterval(_ word: UInt32) -> Double { (Double(word) + 0.5) * 0x1p-32 }

    @inline(__always)
    static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Double, Double) {
        let radius = (-2 * Foundation.log(unitInterval(a))).squareRoot()
        let angle = 2 * Double.pi * unitInterval(b)
        return (radius * Foundation.cos(angle), radius * Foundation.sin(angle))
    }
}
