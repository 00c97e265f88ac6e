import Kernels

extension WindowWorkspace {
    /// One step of ancestral sampling for every stream of a workspace of one time step, from the
    /// carried state (initialH/C), which it then advances:
    ///     z   ~ p(z | h_{t-1})   (the learned prior; N(0, I) for VRNN-I; no z for the RNN)
    ///     x   ~ p(x | z, h_{t-1}) at `temperature`, left in tokens[b] or frames[b]
    ///     h_t = RNN([phi_x(x), phi_z(z)], h_{t-1})
    /// Stream b draws from the generator (seed, b) with counter (t, 0|1|2, sampling), so a sample
    /// does not depend on how many streams are drawn beside it.
    public func generateStep(parameters: UnsafePointer<Float>, seed: UInt64, t: Int, temperature: Float) {
        let p = Weights(parameters: parameters)   // one row at a time: not worth a transposed copy
        precondition(steps == 1, "generation runs one time step at a time")
        let c = model.config, all = 0..<batch, counter = UInt32(truncatingIfNeeded: t)
        let purpose = NoisePurpose.sampling.rawValue
        for b in all { reset[b] = 0 }
        loadPreviousState(0)
        if c.hasLatent, let phi = model.phiZ, let phiState = phiZ {
            let zw = c.latent
            for b in all { CounterRandom(seed: seed, stream: UInt64(b)).fillNormal(z.pointer + b * zw, count: zw, step: counter, t: 0, purpose: purpose) }
            if let pri = model.prior, let priState = prior {
                pri.forward([hiddenTop], p, priState, rows: all)
                for b in all {
                    let row = priState.output + b * 2 * zw, zb = z.pointer + b * zw
                    for j in 0..<zw { zb[j] = row[j] + DiagonalGaussian.sigma(row[zw + j], floor: c.sigmaMin) * zb[j] }
                }
            }
            phi.forward([UnsafePointer(z.pointer)], p, phiState, rows: all)
        }
        model.decoder.forward(decoderParts, p, decoder, rows: all)
        let width = model.head.samplingWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * width) { numbers in
            let uniforms = numbers.baseAddress!, normals = uniforms + width
            for b in all {
                let random = CounterRandom(seed: seed, stream: UInt64(b))
                random.fillUniform(uniforms, count: width, step: counter, t: 1, purpose: purpose)
                random.fillNormal(normals, count: width, step: counter, t: 2, purpose: purpose)
                let token = model.head.sample(decoder.output + b * c.headWidth, temperature: temperature, uniforms: uniforms,
                                              normals: normals, frame: c.input == .real ? frames.pointer + b * c.inputSize : nil)
                if c.input == .categorical { tokens[b] = token }
            }
        }
        forwardPhiX(p, rows: all)
        beginRNNInput(p, rows: all)
        addLatentToRNNInput(p, rows: all)
        for l in 0..<c.layers { model.rnn.stepForward(l, p, rnn, rows: all) }
        carryStateForward()
    }

    /// The output head's mode or mean (temperature 0) for every row of the last forward pass of a
    /// real-valued model: its reconstruction of the input along the inference path, [rows, D].
    public func decodedMeans(into frames: UnsafeMutablePointer<Float>) {
        let c = model.config, width = model.head.samplingWidth
        precondition(c.input == .real, "decoded means are frames of a real-valued model")
        let zeros = [Float](repeating: 0, count: width)
        for r in 0..<rows {
            _ = model.head.sample(decoder.output + r * c.headWidth, temperature: 0, uniforms: zeros, normals: zeros,
                                  frame: frames + r * c.inputSize)
        }
    }
}
