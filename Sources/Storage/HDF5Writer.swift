import CHDF5
import Foundation

/// Writes a new HDF5 file so that it appears at `path` whole or not at all; an existing file there
/// is replaced only when `overwrite` is set. By default HDF5 builds the file in memory (its core
/// driver, no disk I/O), and `commit()` writes the finished image under a temporary name beside
/// `path`, fsyncs it and renames it into place, so HDF5 never meets a full disk. A file too large
/// for memory (a dataset of any size) is written `streaming`: HDF5 writes the temporary file
/// itself, every call's status is checked (a full disk is an error, never a crash), and
/// `commit()` fsyncs and renames it; a writer dropped before `commit()` removes it.
public final class HDF5Writer {
    public let path: String
    var id: hid_t
    /// The file HDF5 writes when streaming (nil: the image is in memory).
    private let temporary: String?
    /// Every non-empty dataset is chunked with the Fletcher32 checksum, so a flipped bit is
    /// detected on reading; datasets at least this large (elements) are also shuffled and gzipped
    /// (level 1: most of the gain for a fraction of level 4's time).
    public static let compressionThreshold = 4096

    public init(creatingAt path: String, overwrite: Bool, streaming: Bool = false) throws {
        HDF5Library.ready
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw HDF5Error("\(path) already exists; pass --force to replace it")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            throw HDF5Error("\(path): the folder \(directory) does not exist")
        }
        self.path = path
        if streaming {
            let temporary = AtomicFile.temporaryPath(for: path)
            self.temporary = temporary
            errno = 0
            id = H5Fcreate(temporary, chdf5_acc_trunc(), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            guard id >= 0 else { throw HDF5Error("cannot write \(path): \(Self.systemReason())") }
        } else {
            temporary = nil
            let access = H5Pcreate(chdf5_file_access_plist())
            defer { H5Pclose(access) }
            H5Pset_fapl_core(access, 1 << 20, false)   // grow in 1 MB steps, no backing file
            id = H5Fcreate(path, chdf5_acc_trunc(), hid_t(H5P_DEFAULT), access)
            guard id >= 0 else { throw HDF5Error("\(path): cannot create the file in memory") }
        }
    }

    deinit {
        if id >= 0 { H5Fclose(id) }
        if id >= 0, let temporary { unlink(temporary) }   // never committed
    }

    /// Writes `values` with `shape` at `name`, creating intermediate groups.
    public func write<T: HDF5Storable>(_ values: [T], shape: [Int], to name: String) throws {
        precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) does not hold \(values.count) values")
        let rows = try stream(T.self, shape: shape, to: name)
        try values.withUnsafeBufferPointer { try rows.append($0) }
        try rows.close()
    }

    /// A dataset of `shape` at `name` to fill a block of rows at a time (`HDF5RowWriter.append`).
    /// `compress: false` keeps even a large dataset uncompressed (still checksummed).
    public func stream<T: HDF5Storable>(_: T.Type, shape: [Int], to name: String, compress: Bool = true) throws -> HDF5RowWriter {
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        defer { H5Sclose(space) }
        let links = H5Pcreate(chdf5_link_create_plist())
        defer { H5Pclose(links) }
        H5Pset_create_intermediate_group(links, 1)
        let properties = H5Pcreate(chdf5_dataset_create_plist())
        defer { H5Pclose(properties) }
        let count = shape.reduce(1, *)
        if count > 0 && !shape.isEmpty {
            // Chunks of about 64k elements along the first axis.
            let rowSize = max(shape.dropFirst().reduce(1, *), 1)
            var chunk = dims
            chunk[0] = hsize_t(max(1, min(shape[0], 65536 / rowSize)))
            H5Pset_chunk(properties, Int32(chunk.count), &chunk)
            if compress && count >= Self.compressionThreshold {
                H5Pset_shuffle(properties)
                H5Pset_deflate(properties, 1)
            }
            H5Pset_fletcher32(properties)
        }
        errno = 0
        let dataset = H5Dcreate2(id, name, T.fileType, space, links, properties, hid_t(H5P_DEFAULT))
        guard dataset >= 0 else { throw HDF5Error("cannot write \(path) (dataset \(name)): \(Self.systemReason())") }
        return HDF5RowWriter(writer: self, name: name, dataset: dataset, shape: shape, memoryType: T.memoryType)
    }

    /// A variable-length UTF-8 string attribute (h5py reads it as `str`) on the root group or
    /// on an existing group or dataset.
    public func setAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        let type = H5Tcopy(chdf5_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, chdf5_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        try withNewAttribute(name, on: object, fileType: type) { attribute in
            value.withCString { pointer -> herr_t in
                var p: UnsafePointer<CChar>? = pointer
                return H5Awrite(attribute, type, &p)
            }
        }
    }

    /// An integer attribute on the root group or on an existing group or dataset.
    public func setAttribute(_ name: String, _ value: Int64, on object: String = "/") throws {
        var v = value
        try withNewAttribute(name, on: object, fileType: chdf5_std_i64le()) { H5Awrite($0, chdf5_native_int64(), &v) }
    }

    /// A float64 attribute on the root group or on an existing group or dataset.
    public func setAttribute(_ name: String, _ value: Double, on object: String = "/") throws {
        var v = value
        try withNewAttribute(name, on: object, fileType: chdf5_ieee_f64le()) { H5Awrite($0, chdf5_native_double(), &v) }
    }

    private func withNewAttribute(_ name: String, on object: String, fileType: hid_t, write: (hid_t) -> herr_t) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate_by_name(id, object, name, fileType, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard attribute >= 0 else { throw HDF5Error("\(path): cannot create attribute \(name) on \(object)") }
        defer { H5Aclose(attribute) }
        guard write(attribute) >= 0 else { throw HDF5Error("\(path): cannot write attribute \(name)") }
    }

    /// Finishes the file atomically (AtomicFile); `beforeRename` runs when it is written and
    /// synced but not yet in place.
    public func commit(beforeRename: (() -> Void)? = nil) throws {
        errno = 0
        if let temporary {
            let closed = H5Fclose(id)
            id = -1
            guard closed >= 0 else {
                let reason = Self.systemReason()
                unlink(temporary)
                throw HDF5Error("cannot write \(path): \(reason)")
            }
            beforeRename?()
            try AtomicFile.moveIntoPlace(temporary, to: path)
            return
        }
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error("\(path): HDF5 could not finish the file") }
        let size = H5Fget_file_image(id, nil, 0)
        guard size > 0 else { throw HDF5Error("\(path): HDF5 could not finish the file") }
        var image = Data(count: size)
        let copied = image.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
        H5Fclose(id)
        id = -1
        guard copied == size else { throw HDF5Error("\(path): HDF5 could not finish the file") }
        try AtomicFile.write(image, to: path, beforeRename: beforeRename)
    }

    /// Why the last write failed, from errno (HDF5 reports only that it failed).
    static func systemReason() -> String {
        errno != 0 ? String(cString: strerror(errno)) : "the write failed (is the disk full or read-only?)"
    }
}

/// One dataset of an HDF5Writer, written a block of whole rows at a time in order.
public final class HDF5RowWriter {
    let writer: HDF5Writer
    let name: String
    private var dataset: hid_t
    let shape: [Int]
    let memoryType: hid_t
    /// Rows written so far.
    public private(set) var rows = 0

    init(writer: HDF5Writer, name: String, dataset: hid_t, shape: [Int], memoryType: hid_t) {
        self.writer = writer; self.name = name; self.dataset = dataset; self.shape = shape; self.memoryType = memoryType
    }

    deinit { if dataset >= 0 { H5Dclose(dataset) } }

    /// Appends `values`, whole rows of the dataset's shape, after those written so far.
    public func append<T: HDF5Storable>(_ values: UnsafeBufferPointer<T>) throws {
        let rowSize = max(shape.dropFirst().reduce(1, *), 1)
        precondition(values.count % rowSize == 0 && T.memoryType == memoryType, "\(name): whole rows of the dataset's type")
        let count = values.count / rowSize
        guard count > 0 else { return }
        precondition(rows + count <= (shape.first ?? 1), "\(name): more rows than its shape \(shape)")
        errno = 0
        let status: herr_t
        if shape.isEmpty {
            status = H5Dwrite(dataset, memoryType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), values.baseAddress)
        } else {
            var start = [hsize_t](repeating: 0, count: shape.count), block = shape.map { hsize_t($0) }
            start[0] = hsize_t(rows)
            block[0] = hsize_t(count)
            let file = H5Dget_space(dataset), memory = H5Screate_simple(Int32(shape.count), &block, nil)
            defer { H5Sclose(file); H5Sclose(memory) }
            H5Sselect_hyperslab(file, H5S_SELECT_SET, &start, nil, &block, nil)
            status = H5Dwrite(dataset, memoryType, memory, file, hid_t(H5P_DEFAULT), values.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error("cannot write \(writer.path) (\(name)): \(HDF5Writer.systemReason())") }
        rows += count
    }

    /// Finishes the dataset (a full disk may only show here).
    public func close() throws {
        errno = 0
        let status = H5Dclose(dataset)
        dataset = -1
        guard status >= 0 else { throw HDF5Error("cannot write \(writer.path) (\(name)): \(HDF5Writer.systemReason())") }
    }
}
