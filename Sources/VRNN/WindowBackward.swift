import CKernels
import Kernels

extension WindowWorkspace {
    /// Backward pass of the last `forward`; adds d loss / d parameters into `gradient` (same layout
    /// as the parameters; the caller zeroes it) and writes d loss / d (carried-in state) into
    /// dInitialH / dInitialC. Mirrors forward (ARCHITECTURE §5): the losses, prior and decoder
    /// batched first; then a reverse time loop that carries only dh (and dc) through
    /// RNN -> phi_z -> z -> encoder; then every weight gradient as one GEMM over all T*B rows.
    /// Returns the same losses as forward.
    @discardableResult
    public func backward(parameters p: UnsafePointer<Float>, gradient grad: UnsafeMutablePointer<Float>,
                         normaliser: Float, kl klTerm: KLTerm = .plain) -> WindowLoss {
        let c = model.config, all = 0..<rows, h = c.hidden, top = c.layers - 1
        let fx = c.phiXWidth
        let loss = computeLosses(normaliser: normaliser, kl: klTerm, gradients: true)
        phases?.end(.losses)

        // Batched: decoder and prior back to their inputs.
        dHiddenTop.zero()
        dZ.zero()
        model.decoder.backwardToFirstLayer(p, decoder, rows: all)
        if let phiZState = phiZ {
            phiZState.outputGrad.update(repeating: 0, count: rows * c.phiZWidth)
            model.decoder.addPartGradient(0, into: phiZState.outputGrad, p, decoder, rows: all)
        }
        model.decoder.addPartGradient(decoderParts.count - 1, into: dHiddenTop.pointer, p, decoder, rows: all)
        if !c.residualPosterior, let pri = model.prior, let priState = prior {
            pri.backwardToFirstLayer(p, priState, rows: all)
            pri.addPartGradient(0, into: dHiddenTop.pointer, p, priState, rows: all)
        }
        phases?.end(.priorDecoderBackward)

        // The reverse time loop. carryH[l] holds d loss / d h_{l,t}, then d loss / d hPrev_l.
        carryH.zero()
        carryC.zero()
        tokenTables?.rnnGrad.zero()
        tokenTables?.encoderGrad.zero()
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let rs = rows(at: t)
            for l in stride(from: top, through: 0, by: -1) {
                let dh = carryH.pointer + l * batch * h
                let dc = c.cell == .lstm ? carryC.pointer + l * batch * h : dh
                model.rnn.stepBackward(l, p, rnn, rows: rs, dh: dh, dc: dc)
                model.rnn.addBiasGradients(l, into: grad, rnn, rows: rs)
                if l > 0 {
                    // layer l's input is h_{l-1,t}: its gradient joins what step t+1 sent to that layer.
                    model.rnn.inputGradient(l, column: 0, width: h, into: carryH.pointer + (l - 1) * batch * h,
                                            ldx: h, beta: 1, p, rnn, rows: rs)
                }
            }
            if let enc = model.encoder, let encState = encoder, let phi = model.phiZ, let phiState = phiZ {
                let fz = c.phiZWidth
                model.rnn.inputGradient(0, column: fx, width: fz, into: phiState.outputGrad + rs.lowerBound * fz,
                                        ldx: fz, beta: 1, p, rnn, rows: rs)
                dropout?.phiZ?.backward(phiState.outputGrad, rows: rs)
                phi.backwardToFirstLayer(p, phiState, rows: rs)
                phi.addBiasGradients(into: grad, phiState, rows: rs)
                phi.addPartGradient(0, into: dZ.pointer, p, phiState, rows: rs)
                addReparameterisationGradient(rows: rs)
                enc.backwardToFirstLayer(p, encState, rows: rs)
                enc.addBiasGradients(into: grad, encState, rows: rs)
                enc.addPartGradient(1, into: dHiddenTop.pointer, p, encState, rows: rs)
                if c.residualPosterior, let pri = model.prior, let priState = prior {
                    pri.backwardToFirstLayer(p, priState, rows: rs)
                    pri.addPartGradient(0, into: dHiddenTop.pointer, p, priState, rows: rs)
                }
            }
            if let tables = tokenTables { scatterTokenRows(tables, rows: rs) }
            // h_{t-1} of the top layer also fed prior, encoder and decoder at step t (through its
            // dropped copy while training with dropout).
            dropout?.hidden.backward(dHiddenTop.pointer, rows: rs)
            let dTop = carryH.pointer + top * batch * h, extra = dHiddenTop.pointer + rs.lowerBound * h
            for i in 0..<batch * h { dTop[i] += extra[i] }
            // A reset cut the dependence on the previous state.
            for b in 0..<batch where reset[rs.lowerBound + b] != 0 {
                for l in 0...top {
                    (carryH.pointer + (l * batch + b) * h).update(repeating: 0, count: h)
                    if c.cell == .lstm { (carryC.pointer + (l * batch + b) * h).update(repeating: 0, count: h) }
                }
            }
        }
        dInitialH.copy(from: carryH)
        if c.cell == .lstm { dInitialC.copy(from: carryC) }
        phases?.end(.backwardLoop)

        // Every weight gradient, one GEMM per matrix over all rows (the x-blocks of text input
        // over the token tables instead). The loop added the biases of the RNN, encoder and phi_z.
        let phiXOut: UnsafePointer<Float>? = tokenTables == nil ? UnsafePointer(phiXRead) : nil
        if let enc = model.encoder, let encState = encoder {
            enc.accumulateWeightGradients([phiXOut, UnsafePointer(hiddenRead)], into: grad, encState, rows: all, biases: false)
        }
        if let phi = model.phiZ, let phiState = phiZ { phi.accumulateWeightGradients([z.pointer], into: grad, phiState, rows: all, biases: false) }
        if let pri = model.prior, let priState = prior { pri.accumulateWeightGradients([hiddenRead], into: grad, priState, rows: all) }
        model.decoder.accumulateWeightGradients(decoderParts, into: grad, decoder, rows: all)
        var layer0Parts: [(UnsafePointer<Float>?, Int)] = [(phiXOut, fx)]
        if let phiZ = phiZRead { layer0Parts.append((UnsafePointer(phiZ), c.phiZWidth)) }
        model.rnn.accumulateWeightGradients(layer0Parts: layer0Parts, into: grad, rnn, rows: rows)
        phases?.end(.weightGradients)
        defer { phases?.end(.inputGradients) }

        // phi_x (and the embedding) from the RNN's and the encoder's x-parts.
        if let tables = tokenTables {
            backwardTokenTables(p, grad, tables)
            return loss
        }
        let dPhiX = phiX.outputGrad
        model.rnn.inputGradient(0, column: 0, width: fx, into: dPhiX, ldx: fx, beta: 0, p, rnn, rows: all)
        if let enc = model.encoder, let encState = encoder { enc.addPartGradient(0, into: dPhiX, p, encState, rows: all) }
        dropout?.phiX.backward(dPhiX, rows: all)
        model.phiX.backwardToFirstLayer(p, phiX, rows: all)
        model.phiX.accumulateWeightGradients([phiXInput], into: grad, phiX, rows: all)

        // Embedding rows: scatter-add of d loss / d (phi_x input).
        if let embedding = model.embedding {
            let e = c.embedding
            dEmbedded.zero()
            model.phiX.addPartGradient(0, into: dEmbedded.pointer, p, phiX, rows: all)
            for r in all {
                let dst = grad + embedding + Int(tokens[r]) * e, src = dEmbedded.pointer + r * e
                for j in 0..<e { dst[j] += src[j] }
            }
        }
        return loss
    }

    /// The encoder's output gradient: the KL part (already there, with sigma still as d/d sigma)
    /// plus the reparameterisation path z = mu + sigma * eps, then d/d sigma -> d/d raw. For the
    /// residual posterior, the path z = mu_p + sigma_p (a + ratio eps) also gives the prior's
    /// output gradient.
    private func addReparameterisationGradient(rows rs: Range<Int>) {
        let c = model.config, zw = c.latent, first = rs.lowerBound
        let slope = slopeQ.pointer + first * zw, dz = dZ.pointer + first * zw, eps = noise.pointer + first * zw
        let dq = encoder!.outputGrad + first * 2 * zw
        if c.residualPosterior, let prior {
            vk_residual_backward(encoder!.output + first * 2 * zw, prior.output + first * 2 * zw, eps, slope, dz, dq,
                                 prior.outputGrad + first * 2 * zw, rs.count, zw, c.sigmaMin)
        } else {
            vk_reparameterisation_backward(slope, dz, eps, dq, rs.count, zw)
        }
    }
}
