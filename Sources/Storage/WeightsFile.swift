/// The exported weights (ARCHITECTURE §6): `/weights/<name>` float32 tensors with PyTorch's
/// names and layouts (`nn.Linear` weights `[out, in]`, `nn.GRU`/`nn.LSTM` gate blocks stacked
/// in PyTorch's order), and root attributes `format` "vrnn-weights", `format_version`, `config`
/// (the model's JSON config) and `metadata` (JSON: the checkpoint, step and vrnn version).
public enum WeightsFile {
    public static func write(to path: String, layout: [TensorLayout], parameters: [Float], config: String, metadata: String,
                             overwrite: Bool) throws {
        let writer = try HDF5Writer(creatingAt: path, overwrite: overwrite)
        try FileFormat.weights.stamp(writer)
        try writer.setAttribute("config", config)
        try writer.setAttribute("metadata", metadata)
        try CheckpointState.writeTensors(parameters, layout: layout, group: "weights", writer)
        try writer.commit()
    }
}
