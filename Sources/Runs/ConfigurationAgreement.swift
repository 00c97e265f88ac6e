import Training

/// Every rank must train the same configuration on the same data: an MPMD launch (or a script
/// that builds each rank's arguments) can hand ranks different settings, which would otherwise
/// hang a collective or crash. Each setting is hashed to 52 bits (exact in a Double) and the
/// hashes are MIN/MAX-reduced; the first setting whose hashes differ is named. Collective.
enum ConfigurationAgreement {
    static func check(_ config: RunConfig, fingerprint: String, _ world: Collective) throws {
        var fields = configFields(config).filter { $0.path != "data" }   // the path may differ between nodes; the data may not
        fields.append((path: "the training data", value: fingerprint))
        let counts = world.allreduceMinMax([Double(fields.count)])
        guard counts.min == counts.max else {
            throw reportedFailure(UserError("the ranks run different vrnn builds (their configurations have different settings); "
                                            + "install the same vrnn on every node"), world)
        }
        let hashes = fields.map { Double(fnv1a($0.path + "=" + $0.value) & ((1 << 52) - 1)) }
        let reduced = world.allreduceMinMax(hashes)
        guard let first = hashes.indices.first(where: { reduced.min[$0] != reduced.max[$0] }) else { return }
        let field = fields[first]
        throw reportedFailure(UserError(field.path == "the training data"
            ? "the ranks read different training data (rank 0: \(field.value)); give every rank the same --data"
            : "the ranks were started with different settings: \(field.path) differs (rank 0: \(field.value)); "
                + "start every rank with the same arguments"), world)
    }

    /// FNV-1a, 64 bits.
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
