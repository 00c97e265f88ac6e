import CHDF5
import Foundation

/// One clear line about what is wrong with an HDF5 file and which file it is.
public struct HDF5Error: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A typed, read-side wrapper over the serial HDF5 C API: open a file, read numeric datasets
/// (converted by HDF5 to the requested native type) and string or numeric attributes.
public final class HDF5File {
    public let path: String
    let id: hid_t
    /// Whether this wrapper opened the file (and closes it); false for one that reads a file an
    /// HDF5Writer is building.
    private let owns: Bool

    /// Opens an existing file read-only.
    public init(readingAt path: String) throws {
        HDF5Library.ready
        guard FileManager.default.fileExists(atPath: path) else {
            throw HDF5Error("\(path): no such file")
        }
        guard Self.isHDF5(path) else { throw HDF5Error("\(path): not an HDF5 file") }
        let id = H5Fopen(path, chdf5_acc_rdonly(), hid_t(H5P_DEFAULT))
        guard id >= 0 else { throw HDF5Error("\(path): cannot open as HDF5 (truncated or corrupt?)") }
        self.path = path
        self.id = id
        owns = true
    }

    /// Reads the file a writer is building (not closed here).
    init(reading writer: HDF5Writer) {
        path = writer.path
        id = writer.id
        owns = false
    }

    deinit { if owns { H5Fclose(id) } }

    /// Whether `path` is an HDF5 file (false for a missing or unreadable one).
    public static func isHDF5(_ path: String) -> Bool {
        HDF5Library.ready
        return H5Fis_hdf5(path) > 0
    }

    /// Whether a link (dataset or group) exists at `name`, checking each level of the path.
    public func exists(_ name: String) -> Bool {
        var prefix = ""
        for component in name.split(separator: "/") {
            prefix += "/" + component
            if H5Lexists(id, prefix, hid_t(H5P_DEFAULT)) <= 0 { return false }
        }
        return true
    }

    public func readFloats(_ name: String) throws -> (shape: [Int], values: [Float]) { try read(name, strict: true) }
    public func readInt32s(_ name: String) throws -> (shape: [Int], values: [Int32]) { try read(name, strict: true) }
    public func readInt64s(_ name: String) throws -> (shape: [Int], values: [Int64]) { try read(name, strict: true) }
    /// Any numeric dataset, integer or floating point, as Double (for inspection and metrics).
    public func readDoubles(_ name: String) throws -> (shape: [Int], values: [Double]) { try read(name, strict: false) }

    /// Reads a whole dataset, letting HDF5 convert the stored type to T's native type. `strict`
    /// refuses integers where floats are expected and the other way round.
    private func read<T: HDF5Storable & Numeric>(_ name: String, strict: Bool) throws -> (shape: [Int], values: [T]) {
        guard exists(name) else { throw HDF5Error("\(path): missing dataset /\(name)") }
        let dataset = H5Dopen2(id, name, hid_t(H5P_DEFAULT))
        guard dataset >= 0 else { throw HDF5Error("\(path): /\(name) is not a dataset") }
        defer { H5Dclose(dataset) }
        let stored = H5Dget_type(dataset)
        let storedClass = H5Tget_class(stored)
        H5Tclose(stored)
        guard storedClass == H5T_INTEGER || storedClass == H5T_FLOAT, !strict || storedClass == T.typeClass else {
            let found = (try? describe(name).dtype) ?? "another type", wanted = T.typeClass == H5T_FLOAT ? "floating point" : "integer"
            throw HDF5Error("\(path): /\(name) holds \(found) but \(wanted) values are expected")
        }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let shape = rank == 0 ? [] : dims.prefix(rank).map { Int($0) }
        var values = [T](repeating: 0, count: shape.reduce(1, *))
        let status = values.withUnsafeMutableBytes {
            H5Dread(dataset, T.memoryType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), $0.baseAddress)
        }
        guard status >= 0 else {
            throw HDF5Error("\(path): cannot read /\(name): its checksum does not match or its data is corrupt; the file is damaged")
        }
        return (shape, values)
    }

    /// A string attribute of the object at `object` (fixed or variable length).
    public func stringAttribute(_ name: String, of object: String = "/") throws -> String {
        try withAttribute(name, of: object) { attribute in
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_STRING else { throw HDF5Error("\(path): attribute \(name) is not a string") }
            if H5Tis_variable_str(type) > 0 {
                let memory = H5Tcopy(chdf5_c_s1())
                defer { H5Tclose(memory) }
                H5Tset_size(memory, chdf5_variable())
                H5Tset_cset(memory, H5Tget_cset(type))
                var pointer: UnsafeMutablePointer<CChar>? = nil
                guard H5Aread(attribute, memory, &pointer) >= 0, let pointer else {
                    throw HDF5Error("\(path): cannot read attribute \(name)")
                }
                defer { H5free_memory(pointer) }
                return String(cString: pointer)
            }
            let size = H5Tget_size(type)
            var bytes = [CChar](repeating: 0, count: size + 1)
            guard H5Aread(attribute, type, &bytes) >= 0 else { throw HDF5Error("\(path): cannot read attribute \(name)") }
            return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// A numeric scalar attribute, converted to Double.
    public func doubleAttribute(_ name: String, of object: String = "/") throws -> Double {
        try withAttribute(name, of: object) { attribute in
            var value = 0.0
            guard H5Aread(attribute, chdf5_native_double(), &value) >= 0 else {
                throw HDF5Error("\(path): attribute \(name) is not numeric")
            }
            return value
        }
    }

    private func withAttribute<R>(_ name: String, of object: String, _ body: (hid_t) throws -> R) throws -> R {
        guard object == "/" || exists(object) else { throw HDF5Error("\(path): missing \(object)") }
        guard H5Aexists_by_name(id, object, name, hid_t(H5P_DEFAULT)) > 0 else {
            throw HDF5Error("\(path): missing attribute \(name) on \(object)")
        }
        let attribute = H5Aopen_by_name(id, object, name, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard attribute >= 0 else { throw HDF5Error("\(path): cannot open attribute \(name)") }
        defer { H5Aclose(attribute) }
        return try body(attribute)
    }
}
