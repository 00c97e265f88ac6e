import CHDF5
import Foundation

/// Writes a new HDF5 file. HDF5 builds it in memory (its core driver, no disk I/O), and
/// `commit()` writes the finished image under a temporary name beside `path`, fsyncs it and
/// renames it into place, so HDF5 never meets a full disk (it had crashed there) and a failed
/// or interrupted write never leaves a partial file at `path`. An existing file there is
/// replaced only when `overwrite` is set.
public final class HDF5Writer {
    public let path: String
    var id: hid_t
    /// Every non-empty dataset is chunked with the Fletcher32 checksum, so a flipped bit is
    /// detected on reading; datasets at least this large (elements) are also shuffled and gzipped.
    public static let compressionThreshold = 4096

    public init(creatingAt path: String, overwrite: Bool) throws {
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw HDF5Error("\(path) already exists; pass --force to replace it")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            throw HDF5Error("\(path): the folder \(directory) does not exist")
        }
        self.path = path
        let access = H5Pcreate(chdf5_file_access_plist())
        defer { H5Pclose(access) }
        H5Pset_fapl_core(access, 1 << 20, false)   // grow in 1 MB steps, no backing file
        id = H5Fcreate(path, chdf5_acc_trunc(), hid_t(H5P_DEFAULT), access)
        guard id >= 0 else { throw HDF5Error("\(path): cannot create the file in memory") }
    }

    deinit { if id >= 0 { H5Fclose(id) } }

    /// Writes `values` with `shape` at `name`, creating intermediate groups.
    public func write<T: HDF5Storable>(_ values: [T], shape: [Int], to name: String) throws {
        precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) does not hold \(values.count) values")
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        defer { H5Sclose(space) }
        let links = H5Pcreate(chdf5_link_create_plist())
        defer { H5Pclose(links) }
        H5Pset_create_intermediate_group(links, 1)
        let properties = H5Pcreate(chdf5_dataset_create_plist())
        defer { H5Pclose(properties) }
        if values.count > 0 && !shape.isEmpty {
            // Chunks of about 64k elements along the first axis.
            let rowSize = max(shape.dropFirst().reduce(1, *), 1)
            var chunk = dims
            chunk[0] = hsize_t(max(1, min(shape[0], 65536 / rowSize)))
            H5Pset_chunk(properties, Int32(chunk.count), &chunk)
            if values.count >= Self.compressionThreshold {
                H5Pset_shuffle(properties)
                H5Pset_deflate(properties, 4)
            }
            H5Pset_fletcher32(properties)
        }
        let dataset = H5Dcreate2(id, name, T.fileType, space, links, properties, hid_t(H5P_DEFAULT))
        guard dataset >= 0 else { throw HDF5Error("cannot write \(path) (dataset \(name)): \(Self.systemReason())") }
        defer { H5Dclose(dataset) }
        let status = values.withUnsafeBytes {
            H5Dwrite(dataset, T.memoryType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), $0.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error("cannot write \(path) (\(name)): \(Self.systemReason())") }
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

    /// Writes the finished file atomically (AtomicFile); `beforeRename` runs when it is written
    /// and synced but not yet in place.
    public func commit(beforeRename: (() -> Void)? = nil) throws {
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
