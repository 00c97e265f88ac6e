/// How a model's inputs and outputs map to the user's data: token id -> byte for text, or the
/// normalisation to undo for real values (raw = value * std + mean).
public enum DataDecoding: Equatable, Sendable {
    case vocabulary([UInt8])
    case statistics(mean: [Float], std: [Float])
}

/// A named tensor of a flat buffer, in buffer order.
public struct TensorLayout: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }
    public var count: Int { shape.reduce(1, *) }
}

/// Everything a run needs to continue exactly (ARCHITECTURE §6). Root attributes: `format`
/// "vrnn-checkpoint", `format_version`, `config` (the run's JSON config), `code_version`,
/// `data_fingerprint`, `step`, `tokens_seen`, `kl_base` (the KL weight before warm-up), `data_metadata` (the dataset's
/// metadata JSON: its kind, sample rate, task), and once the run has validated `best_step`, `best_valid_loss`,
/// `validations_since_best` (BestValidation). Datasets:
///     /params/<name>, /optimizer/m/<name>, /optimizer/v/<name>   float32, each tensor's shape
///     /optimizer attributes step, lr, beta1, beta2, eps, weight_decay
///     /streams/cursor, /streams/epoch   int64 [G]
///     /streams/hidden, /streams/cell    float32 [G, layers, H] (cell only for an LSTM)
///     /metrics/history                  float64 [rows, columns]: the newest metrics row and the newest with a
///                                       validation loss (older files: every row); column names in its `columns` attribute
///     /metrics/curve                    float64 [rows, columns]: the thinned rows the loss curves are drawn from
///                                       (see MetricsCurve; absent in older files)
///     /data/vocab uint8 [V] (text) or /data/mean, /data/std float32 [D] (frames): how to turn
///     model outputs back into bytes or raw values, so sampling needs no dataset file
public struct CheckpointState: Sendable {
    public var config: String
    public var codeVersion: String
    public var dataFingerprint: String
    public var step: Int
    public var tokensSeen: Int64
    public var layout: [TensorLayout]
    public var parameters: [Float]
    public var adamM: [Float]
    public var adamV: [Float]
    public var adamStep: Int
    /// The KL weight before warm-up (the adaptive weight's state).
    public var klBase: Double
    public var adamHyperparameters: [String: Double]   // lr, beta1, ... (for readers; the config is authoritative)
    public var cursors: [Int64]
    public var epochs: [Int64]
    /// [G, layers, H]
    public var hidden: [Float]
    public var cell: [Float]
    public var layers: Int
    public var hiddenSize: Int
    public var metricsColumns: [String]
    /// [rows, columns], row-major
    public var metrics: [Double]
    /// The loss curves' rows, in the same columns (nil: the file predates them).
    public var curve: MetricsCurve?
    public var decoding: DataDecoding
    public var dataMetadata: String
    /// The best validation so far (nil: none yet).
    public var bestValidation: BestValidation?

    public init(config: String, codeVersion: String, dataFingerprint: String, step: Int, tokensSeen: Int64,
                layout: [TensorLayout], parameters: [Float], adamM: [Float], adamV: [Float], adamStep: Int, klBase: Double,
                adamHyperparameters: [String: Double], cursors: [Int64], epochs: [Int64], hidden: [Float], cell: [Float],
                layers: Int, hiddenSize: Int, metricsColumns: [String], metrics: [Double], curve: MetricsCurve? = nil,
                decoding: DataDecoding, dataMetadata: String = "{}", bestValidation: BestValidation? = nil) {
        self.dataMetadata = dataMetadata; self.bestValidation = bestValidation
        self.config = config; self.codeVersion = codeVersion; self.dataFingerprint = dataFingerprint
        self.step = step; self.tokensSeen = tokensSeen; self.layout = layout; self.parameters = parameters
        self.adamM = adamM; self.adamV = adamV; self.adamStep = adamStep; self.klBase = klBase; self.adamHyperparameters = adamHyperparameters
        self.cursors = cursors; self.epochs = epochs; self.hidden = hidden; self.cell = cell
        self.layers = layers; self.hiddenSize = hiddenSize; self.metricsColumns = metricsColumns; self.metrics = metrics
        self.curve = curve; self.decoding = decoding
    }

    /// Writes the checkpoint atomically (see HDF5Writer). `beforeCommit` runs when every byte is
    /// written but the file is not yet in place (tests use it to kill the writer there).
    public func write(to path: String, beforeCommit: (() -> Void)? = nil) throws {
        let writer = try HDF5Writer(creatingAt: path, overwrite: false)
        try FileFormat.checkpoint.stamp(writer)
        try writer.setAttribute("config", config)
        try writer.setAttribute("code_version", codeVersion)
        try writer.setAttribute("data_fingerprint", dataFingerprint)
        try writer.setAttribute("step", Int64(step))
        try writer.setAttribute("tokens_seen", tokensSeen)
        try writer.setAttribute("kl_base", klBase)
        try writer.setAttribute("data_metadata", dataMetadata)
        try bestValidation?.write(writer)
        try Self.writeTensors(parameters, layout: layout, group: "params", writer)
        try Self.writeTensors(adamM, layout: layout, group: "optimizer/m", writer)
        try Self.writeTensors(adamV, layout: layout, group: "optimizer/v", writer)
        try writer.setAttribute("step", Int64(adamStep), on: "optimizer")
        for (name, value) in adamHyperparameters.sorted(by: { $0.key < $1.key }) {
            try writer.setAttribute(name, value, on: "optimizer")
        }
        let g = cursors.count
        try writer.write(cursors, shape: [g], to: "streams/cursor")
        try writer.write(epochs, shape: [g], to: "streams/epoch")
        try writer.write(hidden, shape: [g, layers, hiddenSize], to: "streams/hidden")
        if !cell.isEmpty { try writer.write(cell, shape: [g, layers, hiddenSize], to: "streams/cell") }
        let columns = metricsColumns.count
        try writer.write(metrics, shape: [metrics.count / columns, columns], to: "metrics/history")
        try writer.setAttribute("columns", metricsColumns.joined(separator: ","), on: "metrics/history")
        try curve?.write(columns: columns, writer)
        switch decoding {
        case .vocabulary(let bytes): try writer.write(bytes, shape: [bytes.count], to: "data/vocab")
        case .statistics(let mean, let std):
            try writer.write(mean, shape: [mean.count], to: "data/mean")
            try writer.write(std, shape: [std.count], to: "data/std")
        }
        try MetadataDigest.stamp(writer)
        try writer.commit(beforeRename: beforeCommit)
    }

    static func writeTensors(_ flat: [Float], layout: [TensorLayout], group: String, _ writer: HDF5Writer) throws {
        var offset = 0
        for tensor in layout {
            try writer.write(Array(flat[offset..<offset + tensor.count]), shape: tensor.shape, to: "\(group)/\(tensor.name)")
            offset += tensor.count
        }
    }
}

/// Reading a checkpoint in two steps: the header (config, step, fingerprint) first, so the caller
/// can build the model, then the state against the model's tensor layout.
public struct CheckpointReader {
    public let file: HDF5File
    public let config: String
    public let codeVersion: String
    public let dataFingerprint: String
    public let step: Int

    public init(path: String) throws { try self.init(file: try HDF5File(readingAt: path)) }

    /// The training dataset's metadata JSON ("{}" when the checkpoint predates it).
    public var dataMetadata: String { (try? file.stringAttribute("data_metadata")) ?? "{}" }

    public init(file: HDF5File) throws {
        self.file = file
        try FileFormat.checkpoint.check(file)
        // Version 2 adds the metadata checksum; version 1 files (vrnn 0.5) are read without one.
        if try file.doubleAttribute("format_version") >= 2 { try MetadataDigest.verify(file) }
        config = try file.stringAttribute("config")
        codeVersion = (try? file.stringAttribute("code_version")) ?? "unknown"
        dataFingerprint = try file.stringAttribute("data_fingerprint")
        step = try Self.wholeNumber(try file.doubleAttribute("step"), "step", file)
    }

    /// A count stored as a float attribute, refused as damage when it is not a whole number
    /// that fits (NaN, infinite, fractional or negative).
    static func wholeNumber(_ value: Double, _ name: String, _ file: HDF5File) throws -> Int {
        guard let whole = Int(exactly: value), whole >= 0 else {
            throw HDF5Error("\(file.path): its \(name) attribute is \(value), not a count; the file is damaged")
        }
        return whole
    }

    /// The parameters alone, checked against `layout` (for export, sampling and evaluation).
    public func parameters(layout: [TensorLayout]) throws -> [Float] { try readTensors(group: "params", layout: layout) }

    /// The whole state; `layers` and `hiddenSize` give the expected stream-state shape.
    public func state(layout: [TensorLayout], layers: Int, hiddenSize: Int, lstm: Bool) throws -> CheckpointState {
        let cursors = try file.readInt64s("streams/cursor").values
        let epochs = try file.readInt64s("streams/epoch").values
        let g = cursors.count
        guard epochs.count == g else { throw HDF5Error("\(file.path): /streams/epoch must hold \(g) values like /streams/cursor") }
        let hidden = try readStreamState("streams/hidden", g: g, layers: layers, hiddenSize: hiddenSize)
        let cell = lstm ? try readStreamState("streams/cell", g: g, layers: layers, hiddenSize: hiddenSize) : []
        let history = try file.readDoubles("metrics/history")
        let columns = try file.stringAttribute("columns", of: "metrics/history").split(separator: ",").map(String.init)
        guard history.shape.count == 2, history.shape[1] == columns.count else {
            throw HDF5Error("\(file.path): /metrics/history has shape \(history.shape) for \(columns.count) columns")
        }
        var hyper: [String: Double] = [:]
        for name in ["lr", "beta1", "beta2", "eps", "weight_decay"] {
            hyper[name] = try? file.doubleAttribute(name, of: "optimizer")
        }
        return CheckpointState(
            config: config, codeVersion: codeVersion, dataFingerprint: dataFingerprint, step: step,
            tokensSeen: Int64(try Self.wholeNumber(try file.doubleAttribute("tokens_seen"), "tokens_seen", file)), layout: layout,
            parameters: try parameters(layout: layout),
            adamM: try readTensors(group: "optimizer/m", layout: layout), adamV: try readTensors(group: "optimizer/v", layout: layout),
            adamStep: try Self.wholeNumber(try file.doubleAttribute("step", of: "optimizer"), "optimizer step", file),
            klBase: (try? file.doubleAttribute("kl_base")) ?? 1, adamHyperparameters: hyper,
            cursors: cursors, epochs: epochs, hidden: hidden, cell: cell, layers: layers, hiddenSize: hiddenSize,
            metricsColumns: columns, metrics: history.values, curve: try MetricsCurve.read(columns: columns.count, from: file),
            decoding: try decoding(), dataMetadata: dataMetadata, bestValidation: try BestValidation.read(from: file))
    }

    /// How outputs map back to bytes or raw values.
    public func decoding() throws -> DataDecoding {
        if file.exists("data/vocab") { return .vocabulary(try file.readInt32s("data/vocab").values.map { UInt8(truncatingIfNeeded: $0) }) }
        return .statistics(mean: try file.readFloats("data/mean").values, std: try file.readFloats("data/std").values)
    }

    func readTensors(group: String, layout: [TensorLayout]) throws -> [Float] {
        var flat: [Float] = []
        flat.reserveCapacity(layout.reduce(0) { $0 + $1.count })
        for tensor in layout {
            let name = "\(group)/\(tensor.name)"
            let stored = try file.readFloats(name)
            guard stored.shape == tensor.shape else {
                throw HDF5Error("\(file.path): /\(name) has shape \(stored.shape) but the model needs \(tensor.shape)")
            }
            if let bad = stored.values.first(where: { !$0.isFinite }) {
                throw HDF5Error("\(file.path): /\(name) holds \(bad); the checkpoint is unusable")
            }
            flat += stored.values
        }
        return flat
    }

    func readStreamState(_ name: String, g: Int, layers: Int, hiddenSize: Int) throws -> [Float] {
        let stored = try file.readFloats(name)
        guard stored.shape == [g, layers, hiddenSize] else {
            throw HDF5Error("\(file.path): /\(name) has shape \(stored.shape) but the model needs \([g, layers, hiddenSize])")
        }
        return stored.values
    }
}
