/// What a workspace will allocate, computed before allocating it, in floats (as Double, so a
/// size no machine has cannot overflow): the per-row buffers of every layer and the loss, the
/// carried state, the transposed weights and the token tables; with `dropout`, its masks and
/// dropped copies instead of the token tables. `WindowWorkspace.init` (and `enableDropout`)
/// allocate exactly these; `MemoryNeedsTests` checks the two agree.
extension WindowWorkspace {
    public static func floatsNeeded(_ model: VRNNModel, batch: Int, steps: Int, dropout: Bool = false) -> Double {
        let c = model.config, rows = Double(batch) * Double(steps)
        let z = Double(c.hasLatent ? c.latent : 0), h = Double(c.hidden), g = Double(model.rnn.gateWidth), layers = Double(c.layers)
        let lstm = c.cell == .lstm
        let mlps = [model.phiX] + [model.phiZ, model.prior, model.encoder].compactMap { $0 } + [model.decoder]
        var perRow = mlps.reduce(0.0) { total, mlp in total + 2 * Double(mlp.layers.reduce(0) { $0 + $1.outputs }) }
        // RNN: h in and out, gates, their gradients (shared for an LSTM), and the GRU's hidden n
        // part or the LSTM's cell in and out (every layer's input gates come a step at a time, but
        // layer 0's for the whole window where there are no token tables).
        let tokenTables = c.input == .categorical && batch * steps > c.inputSize && !dropout
        perRow += layers * (2 * h + 2 * g + (lstm ? 2 * h : g + h)) + (tokenTables ? 0 : g)
        perRow += c.input == .categorical ? 2 * Double(c.embedding) : Double(c.inputSize)   // embedded + gradient, or frames
        perRow += 5 * z + h + 3                                                               // noise, z, dz, sigma, slope; dh; losses
        if dropout {   // a mask and a dropped copy of phi_x, phi_z, h_{t-1} and each hidden decoder layer
            perRow += 2 * Double(c.phiXWidth + (c.hasLatent ? c.phiZWidth : 0) + c.hidden
                                 + model.decoder.layers.dropLast().reduce(0) { $0 + $1.outputs })
        }
        let carried = 3 * layers * Double(batch) * h * (lstm ? 2 : 1)                       // initial, its gradient, carry
        // + one step's gates, the transposed weights and the 5 latent ranges
        var total = rows * perRow + carried + 2 * Double(batch) * g + Double(model.parameterCount) + 5
        if tokenTables {
            let v = Double(c.inputSize), e0 = Double(model.encoder?.layers[0].outputs ?? 0)
            total += v * 2 * Double(model.phiX.layers.reduce(0) { $0 + $1.outputs }) + v * 2 * (e0 + g)
        }
        return total
    }
}
