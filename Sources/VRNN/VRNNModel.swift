import Kernels

/// The layers of a VRNN and where their parameters sit in the flat buffer (ARCHITECTURE §4):
///
///     phi_x  = MLP_x(x_t)                      (embedding first for categorical x)
///     prior  = MLP_prior(h_{t-1})              -> (mu_p, sigma_p)   [VRNN only]
///     enc    = MLP_enc([phi_x, h_{t-1}])       -> (mu_q, sigma_q)   [not for RNN]
///     z_t    = mu_q + sigma_q * eps
///     phi_z  = MLP_z(z_t)
///     dec    = MLP_dec([phi_z, h_{t-1}])       -> params of p(x_t | z_t, h_{t-1})
///     h_t    = RNN([phi_x, phi_z], h_{t-1})
///
/// Parameter order in the flat buffer: embedding, phi_x, phi_z, prior, encoder, decoder, rnn.
public struct VRNNModel: Sendable {
    public let config: ModelConfig
    public let table: ParameterTable
    public let embedding: Int?
    public let phiX: MLP
    public let phiZ: MLP?
    public let prior: MLP?
    public let encoder: MLP?
    public let decoder: MLP
    public let rnn: RecurrentStack
    public let head: OutputHead

    public enum ConfigError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String { if case .invalid(let s) = self { return s }; return "" }
    }

    public init(_ config: ModelConfig) throws {
        if let problem = config.validationError() { throw ConfigError.invalid(problem) }
        if config.phiX.isEmpty || (config.hasLatent && config.phiZ.isEmpty) {
            throw ConfigError.invalid("phi_x and phi_z need at least one layer each")
        }
        self.config = config
        var table = ParameterTable()
        let act = config.activation, h = config.hidden, z = config.latent
        embedding = config.input == .categorical
            ? table.add("embedding.weight", [config.inputSize, config.embedding], initBound: 0) : nil
        phiX = MLP(name: "phi_x", partWidths: [config.phiXInput], widths: config.phiX,
                   activation: act, activateLast: true, table: &table)
        if config.hasLatent {
            phiZ = MLP(name: "phi_z", partWidths: [z], widths: config.phiZ, activation: act, activateLast: true, table: &table)
            prior = config.hasLearnedPrior
                ? MLP(name: "prior", partWidths: [h], widths: config.prior + [2 * z], activation: act, activateLast: false, table: &table)
                : nil
            encoder = MLP(name: "encoder", partWidths: [config.phiXWidth, h], widths: config.encoder + [2 * z],
                          activation: act, activateLast: false, table: &table)
            decoder = MLP(name: "decoder", partWidths: [config.phiZWidth, h], widths: config.decoder + [config.headWidth],
                          activation: act, activateLast: false, table: &table)
        } else {
            phiZ = nil; prior = nil; encoder = nil
            decoder = MLP(name: "decoder", partWidths: [h], widths: config.decoder + [config.headWidth],
                          activation: act, activateLast: false, table: &table)
        }
        rnn = RecurrentStack(cell: config.cell, inputWidth: config.rnnInputWidth, hidden: h,
                             layers: config.layers, table: &table)
        head = OutputHead(config)
        self.table = table
    }

    public var parameterCount: Int { table.count }
}
