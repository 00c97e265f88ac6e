import Kernels

/// One place where dropout acts, over a window's rows: a mask [rows, width] of 0 or 1/(1-p) and
/// the dropped copy that the next computation reads. The undropped values stay where they were
/// made, so their activation's derivative is taken from them.
public final class DropoutSite {
    public let width: Int
    public let mask: FloatBuffer
    let dropped: FloatBuffer
    /// The counter word that keeps this site's random numbers apart from every other use.
    let purpose: UInt32

    init(rows: Int, width: Int, purpose: UInt32) {
        self.width = width; self.purpose = purpose
        mask = FloatBuffer(count: rows * width)
        dropped = FloatBuffer(count: rows * width)
    }

    /// dropped[rows] = values[rows] * mask[rows], with `values` the whole [rows, width] buffer.
    func apply(_ values: UnsafePointer<Float>, rows: Range<Int>) {
        let start = rows.lowerBound * width, end = rows.upperBound * width
        let v = values, m = mask.pointer, d = dropped.pointer
        for i in start..<end { d[i] = v[i] * m[i] }
    }

    /// d loss / d values = d loss / d dropped * mask, in place over `rows`.
    func backward(_ gradient: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let m = mask.pointer
        for i in rows.lowerBound * width..<rows.upperBound * width { gradient[i] *= m[i] }
    }
}

/// Dropout of a training window (ARCHITECTURE §5) at rate p, where it helps a recurrent model:
/// the features phi_x and phi_z (which are also the RNN's input), the decoder's hidden layers, and
/// the RNN's output h_{t-1} as the prior, encoder and decoder read it (the recurrence itself keeps
/// the whole state). Evaluation, sampling and validation run without it.
public final class Dropout {
    public let rate: Float
    public let phiX: DropoutSite
    public let phiZ: DropoutSite?
    public let hidden: DropoutSite
    public let decoder: [DropoutSite]
    /// Every site, in the order of their random-number purposes.
    public var sites: [DropoutSite] { [phiX] + (phiZ.map { [$0] } ?? []) + [hidden] + decoder }

    /// Purposes 16, 17, ... (NoisePurpose uses 1-5): phi_x, phi_z, hidden, then the decoder's layers.
    init(rate: Float, model: VRNNModel, rows: Int) {
        let c = model.config
        self.rate = rate
        phiX = DropoutSite(rows: rows, width: c.phiXWidth, purpose: 16)
        phiZ = c.hasLatent ? DropoutSite(rows: rows, width: c.phiZWidth, purpose: 17) : nil
        hidden = DropoutSite(rows: rows, width: c.hidden, purpose: 18)
        decoder = model.decoder.layers.dropLast().enumerated().map { DropoutSite(rows: rows, width: $1.outputs, purpose: 19 + UInt32($0)) }
    }
}

extension WindowWorkspace {
    /// Trains this workspace's windows with dropout at `rate` from now on (the masks are filled by
    /// `fillDropoutMasks`, or by a test). Text then runs phi_x over every row: a per-row mask
    /// cannot be gathered from per-token tables.
    public func enableDropout(rate: Float) {
        precondition(rate > 0 && rate < 1)
        let dropout = Dropout(rate: rate, model: model, rows: rows)
        self.dropout = dropout
        tokenTables = nil
        for (i, site) in dropout.decoder.enumerated() { decoder.hiddenDropout[i] = site }
    }

    /// The masks of training step `step`: mask = 1/(1-p) where a uniform u from the generator of
    /// global stream `firstStream + b`, counter (step, t, site), is at least p, else 0. Like the
    /// latent noise, they do not depend on how many ranks share the streams.
    public func fillDropoutMasks(seed: UInt64, step: Int, firstStream: Int) {
        guard let dropout else { return }
        let keep = 1 / (1 - dropout.rate)
        for b in 0..<batch {
            let random = CounterRandom(seed: seed, stream: UInt64(firstStream + b))
            for site in dropout.sites {
                for t in 0..<steps {
                    let row = site.mask.pointer + (t * batch + b) * site.width
                    random.fillUniform(row, count: site.width, step: UInt32(truncatingIfNeeded: step), t: UInt32(t), purpose: site.purpose)
                    for j in 0..<site.width { row[j] = row[j] >= dropout.rate ? keep : 0 }
                }
            }
        }
    }

    /// What reads phi_x, phi_z and h_{t-1} of the top layer: their dropped copies while training
    /// with dropout, else the values themselves.
    var phiXRead: UnsafeMutablePointer<Float> { dropout?.phiX.dropped.pointer ?? phiX.output }
    var phiZRead: UnsafeMutablePointer<Float>? { dropout?.phiZ?.dropped.pointer ?? phiZ?.output }
    var hiddenRead: UnsafeMutablePointer<Float> { dropout?.hidden.dropped.pointer ?? hiddenTop }
}
