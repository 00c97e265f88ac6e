/// Writes a dataset file (the layout is in SequenceDataset) a block of rows at a time: `rows`
/// are declared first, appended in order, and `finish` adds the boundaries, splits and attributes
/// and puts the file in place. With `streaming` (the default) HDF5 writes the file as it goes,
/// so memory does not grow with the data.
public final class DatasetWriter {
    let writer: HDF5Writer
    let data: HDF5RowWriter
    let kind: StoredDataset.Kind
    let rows: Int

    public init(path: String, overwrite: Bool, kind: StoredDataset.Kind, rows: Int, streaming: Bool = true) throws {
        writer = try HDF5Writer(creatingAt: path, overwrite: overwrite, streaming: streaming)
        try FileFormat.dataset.stamp(writer)
        switch kind {
        // Ids of a vocabulary of bytes: one byte a character already, and uncompressed, so that
        // prepare runs at disk speed and a training window reads only its own bytes.
        case .tokens: data = try writer.stream(UInt8.self, shape: [rows], to: "data", compress: false)
        case .frames(let d, _, _): data = try writer.stream(Float.self, shape: [rows, d], to: "data")
        }
        self.kind = kind
        self.rows = rows
    }

    /// Token ids, in row order.
    public func append(_ ids: UnsafeBufferPointer<UInt8>) throws { try data.append(ids) }
    /// Frames [n, D], in row order.
    public func append(_ frames: UnsafeBufferPointer<Float>) throws { try data.append(frames) }

    public func finish(offsets: [Int64], train: Range<Int>, valid: Range<Int>, metadata: String, trainFingerprint: String?) throws {
        try data.close()
        precondition(data.rows == rows, "\(writer.path): \(data.rows) of \(rows) rows written")
        try writer.setAttribute("metadata", metadata)
        if let trainFingerprint { try writer.setAttribute("train_fingerprint", trainFingerprint) }
        switch kind {
        case .tokens(let vocabulary): try writer.write(vocabulary, shape: [vocabulary.count], to: "vocab")
        case .frames(let d, let mean, let std):
            try writer.write(mean, shape: [d], to: "stats/mean")
            try writer.write(std, shape: [d], to: "stats/std")
        }
        try writer.write(offsets, shape: [offsets.count], to: "offsets")
        try writer.write([Int64(train.lowerBound), Int64(train.upperBound)], shape: [2], to: "splits/train")
        try writer.write([Int64(valid.lowerBound), Int64(valid.upperBound)], shape: [2], to: "splits/valid")
        try MetadataDigest.stamp(writer)
        try writer.commit()
    }
}
