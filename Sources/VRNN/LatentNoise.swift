import Kernels

/// What a random number is for: the counter's third word, so different uses never share numbers.
public enum NoisePurpose: UInt32, Sendable {
    case latent = 1     // eps of z = mu_q + sigma_q * eps in training
    case sampling = 2   // generation
    case validation = 3 // eps of z when measuring the validation loss
    case priming = 4    // eps of z while a sample reads its priming text
    case evaluation = 5 // eps of z in `vrnn eval` (importance samples)
}

extension WindowWorkspace {
    /// eps for every (t, b) of the window at training step `step`, drawn from the generator of global
    /// stream `firstStream + b` with counter (step, t, latent): the numbers a stream sees do not
    /// depend on how many ranks share the streams (ARCHITECTURE §3).
    public func fillLatentNoise(seed: UInt64, step: Int, firstStream: Int, purpose: NoisePurpose = .latent) {
        fillLatentNoise(seed: seed, step: step, streams: Array(firstStream..<firstStream + batch), purpose: purpose)
    }

    /// The same with the generator of stream b named by `streams[b]`.
    public func fillLatentNoise(seed: UInt64, step: Int, streams: [Int], purpose: NoisePurpose) {
        let z = model.config.latent
        guard model.config.hasLatent else { return }
        precondition(streams.count == batch)
        // Stream b's rows t * B + b, t = 0..<T, in one call.
        for b in 0..<batch {
            CounterRandom(seed: seed, stream: UInt64(streams[b]))
                .fillNormalVectorised(noise.pointer + b * z, count: z, rows: steps, stride: batch * z,
                                      step: UInt32(truncatingIfNeeded: step), t: 0, purpose: purpose.rawValue)
        }
    }
}
