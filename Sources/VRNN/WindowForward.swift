import CKernels
import Kernels

/// How the KL term enters the training objective:  weight * sum_rows sum_j max(KL_j, freeNats).
/// The plain ELBO is weight 1 with no free nats; warm-up, a fixed beta and the adaptive weight
/// set `weight`, free bits set `freeNats` (per latent dimension and time step).
public struct KLTerm: Codable, Equatable, Sendable {
    public var weight: Float
    public var freeNats: Float
    public init(weight: Float = 1, freeNats: Float = 0) { self.weight = weight; self.freeNats = freeNats }
    public static let plain = KLTerm()
}

/// Sums of one window's loss terms. `loss` is the objective (reconstruction + weight * penalty) /
/// normaliser, where the normaliser is G * T for data-parallel training (ARCHITECTURE §3).
public struct WindowLoss: Sendable {
    public var reconstruction: Double   // sum over rows of -log p(x_t | z_t, h_{t-1}), nats
    public var kl: Double               // sum over rows of KL(q || p), nats
    public var klPenalty: Double        // sum over rows and latent dimensions of max(KL_j, freeNats)
    public var loss: Double             // the objective above
}

extension WindowWorkspace {
    /// Forward pass over the window (ARCHITECTURE §5): phi_x and the x-parts of the encoder's and
    /// the RNN's first matrices as single GEMMs over all T*B rows; then the time loop runs only
    /// encoder -> z -> phi_z -> RNN; then prior, decoder and the losses as single GEMMs again.
    @discardableResult
    public func forward(parameters p: UnsafePointer<Float>, normaliser: Float, kl klTerm: KLTerm = .plain) -> WindowLoss {
        forwardActivations(parameters: p)
        return computeLosses(normaliser: normaliser, kl: klTerm, gradients: false)
    }

    /// The forward pass without the losses: what training runs before `backward`, which computes
    /// the losses once, together with their gradients.
    public func forwardActivations(parameters: UnsafePointer<Float>) {
        let c = model.config, all = 0..<rows
        model.table.transposeWeights(parameters, into: transposedWeights.pointer)
        let p = Weights(parameters: parameters, transposed: transposedWeights.pointer)

        // phi_x and the x-parts of the first encoder layer and of the RNN's input gates, batched
        // (for text with more rows than tokens, from per-token tables).
        if let tables = tokenTables {
            forwardTokenTables(p, tables)
        } else {
            forwardPhiX(p, rows: all)
            dropout?.phiX.apply(phiX.output, rows: all)
            if let enc = model.encoder, let encState = encoder {
                enc.beginFirstLayer(p, encState, rows: all)
                enc.addPart(0, phiXRead, p, encState, rows: all)
            }
            beginRNNInput(p, rows: all)
        }
        phases?.end(.inputs)

        // The sequential part (nothing in it allocates).
        let latentInput = [UnsafePointer(z.pointer)]
        for t in 0..<steps {
            let rs = rows(at: t)
            loadPreviousState(t)
            if let tables = tokenTables { gatherTokenRows(tables, rows: rs) }
            dropout?.hidden.apply(hiddenTop, rows: rs)
            if let enc = model.encoder, let encState = encoder, let phi = model.phiZ, let phiState = phiZ {
                enc.addPart(1, hiddenRead, p, encState, rows: rs)
                enc.finishForward(p, encState, rows: rs)
                // The residual posterior is relative to the prior: it is needed step by step.
                if c.residualPosterior, let pri = model.prior, let priState = prior { pri.forward([hiddenRead], p, priState, rows: rs) }
                sampleLatent(rows: rs)
                phi.forward(latentInput, p, phiState, rows: rs)
                dropout?.phiZ?.apply(phiState.output, rows: rs)
                addLatentToRNNInput(p, rows: rs)
            }
            for l in 0..<c.layers { model.rnn.stepForward(l, p, rnn, rows: rs) }
        }
        phases?.end(.forwardLoop)

        // Prior and decoder depend only on h_{t-1} and phi_z: batched after the loop.
        if !c.residualPosterior, let pri = model.prior, let priState = prior { pri.forward([hiddenRead], p, priState, rows: all) }
        model.decoder.forward(decoderParts, p, decoder, rows: all)
        phases?.end(.priorDecoderForward)
    }

    /// phi_x for `rows`: the embedding rows of the tokens first for text.
    func forwardPhiX(_ p: Weights, rows rs: Range<Int>) {
        if let embedding = model.embedding {
            let e = model.config.embedding
            for r in rs { (embedded.pointer + r * e).update(from: p.parameters + embedding + Int(tokens[r]) * e, count: e) }
        }
        model.phiX.forward([phiXInput], p, phiX, rows: rs)
    }

    /// The first RNN layer's input gates for `rows`: b_ih + phi_x W_ih[:, x block]^T (the whole
    /// window before the loop, or generation's one step).
    func beginRNNInput(_ p: Weights, rows rs: Range<Int>) {
        let layer0 = model.rnn.layers[0], g = model.rnn.gateWidth, fx = model.config.phiXWidth
        let out = rnn.loopInputGates(0, rows: rs)
        broadcastRows(p.parameters + layer0.biasIH, into: out, rows: rs.count, cols: g, ldc: g)
        p.addProduct(phiXRead + rs.lowerBound * fx, lda: fx, m: rs.count, weight: layer0.weightIH, n: g, inputs: layer0.inputs,
                     column: 0, k: fx, into: out, ldc: g)
    }

    /// Adds phi_z W_ih[:, z block]^T to the first RNN layer's input gates for `rows`.
    func addLatentToRNNInput(_ p: Weights, rows rs: Range<Int>) {
        guard let phiZ = phiZRead else { return }
        let layer0 = model.rnn.layers[0], g = model.rnn.gateWidth, fz = model.config.phiZWidth
        p.addProduct(phiZ + rs.lowerBound * fz, lda: fz, m: rs.count, weight: layer0.weightIH, n: g, inputs: layer0.inputs,
                     column: model.config.phiXWidth, k: fz, into: rnn.loopInputGates(0, rows: rs), ldc: g)
    }

    /// The decoder's input blocks: [phi_z, h_{t-1}], or [h_{t-1}] for the RNN baseline (as read:
    /// dropped while training with dropout).
    var decoderParts: [UnsafePointer<Float>] {
        if let phiZ = phiZRead { return [UnsafePointer(phiZ), UnsafePointer(hiddenRead)] }
        return [UnsafePointer(hiddenRead)]
    }

    /// hPrev (and cPrev) of every layer for step t: the carried-in state at t = 0, else the
    /// previous step's output; rows whose reset flag is set start from zero.
    func loadPreviousState(_ t: Int) {
        let h = model.config.hidden, rs = rows(at: t), lstm = model.config.cell == .lstm
        for l in 0..<model.config.layers {
            let hDst = rnn.hPrev[l].pointer + rs.lowerBound * h
            let cDst = lstm ? rnn.cPrev[l].pointer + rs.lowerBound * h : nil
            if t == 0 {
                hDst.update(from: initialH.pointer + l * batch * h, count: batch * h)
                cDst?.update(from: initialC.pointer + l * batch * h, count: batch * h)
            } else {
                hDst.update(from: rnn.hOut[l].pointer + (rs.lowerBound - batch) * h, count: batch * h)
                cDst?.update(from: rnn.cOut[l].pointer + (rs.lowerBound - batch) * h, count: batch * h)
            }
            for b in 0..<batch where reset[rs.lowerBound + b] != 0 {
                (hDst + b * h).update(repeating: 0, count: h)
                (cDst.map { $0 + b * h })?.update(repeating: 0, count: h)
            }
        }
    }

    /// z = mu_q + sigma_q * eps from the encoder's output rows: [mu_q (Z), raw sigma_q (Z)], or
    /// the residual posterior's [a (Z), b (Z)] with the prior's rows.
    private func sampleLatent(rows rs: Range<Int>) {
        let c = model.config, zw = c.latent, first = rs.lowerBound, q = encoder!.output + first * 2 * zw
        let eps = noise.pointer + first * zw, zs = z.pointer + first * zw
        let sigma = sigmaQ.pointer + first * zw, slope = slopeQ.pointer + first * zw
        if c.residualPosterior {
            vk_sample_latent_residual(q, prior!.output + first * 2 * zw, eps, zs, sigma, slope, rs.count, zw, c.sigmaMin)
        } else {
            vk_sample_latent(q, eps, zs, sigma, slope, rs.count, zw, c.sigmaMin)
        }
    }

    /// Per-row NLL and KL; with `gradients`, also writes (1/normaliser) * d loss / d (decoder output,
    /// prior output) and the KL's part of d loss / d (encoder output) (into encoder.outputGrad).
    func computeLosses(normaliser: Float, kl klTerm: KLTerm, gradients: Bool) -> WindowLoss {
        let c = model.config, scale = 1 / normaliser
        tokens.withUnsafeBufferPointer {
            model.head.nll(rows: rows, params: decoder.output, tokens: $0.baseAddress, frames: frames.pointer,
                           grad: gradients ? decoder.outputGrad : nil, scale: scale, into: rowNLL.pointer)
        }
        var penalty: Double = 0
        if let encState = encoder, c.residualPosterior {
            // d/d ratio stays until the path through z joins it in backward, which also brings
            // the prior its whole gradient.
            if gradients { prior?.outputGrad.update(repeating: 0, count: rows * 2 * c.latent) }
            vk_residual_kl(encState.output, sigmaQ.pointer, rows, c.latent, c.sigmaMin, klTerm.freeNats, scale * klTerm.weight,
                           gradients ? encState.outputGrad : nil, rowKL.pointer, rowPenalty.pointer, latentExtremes.pointer)
            penalty = sum(rowPenalty.pointer, count: rows)
        } else if let encState = encoder {
            // d/d sigma_q stays until the reparameterisation path joins it in backward; the
            // prior's part arrives as d/d raw.
            vk_gaussian_kl(encState.output, sigmaQ.pointer, prior.map { UnsafePointer($0.output) }, rows, c.latent, c.sigmaMin, klTerm.freeNats,
                           scale * klTerm.weight, gradients ? encState.outputGrad : nil, gradients ? prior?.outputGrad : nil,
                           rowKL.pointer, rowPenalty.pointer, latentExtremes.pointer)
            penalty = sum(rowPenalty.pointer, count: rows)
        } else {
            rowKL.zero()
        }
        let reconstruction = sum(rowNLL.pointer, count: rows), kl = sum(rowKL.pointer, count: rows)
        return WindowLoss(reconstruction: reconstruction, kl: kl, klPenalty: penalty,
                          loss: (reconstruction + Double(klTerm.weight) * penalty) / Double(normaliser))
    }
}
