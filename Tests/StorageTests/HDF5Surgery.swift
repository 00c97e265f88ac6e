import CHDF5
import Foundation

/// Damages copies of HDF5 files the ways the integrity tests need, through the C API.
enum HDF5Surgery {
    /// Opens `path` read-write, runs `body` on the file id, closes it.
    static func edit(_ path: String, _ body: (hid_t) -> Void) {
        let file = H5Fopen(path, chdf5_acc_rdwr(), hid_t(H5P_DEFAULT))
        precondition(file >= 0, "cannot open \(path)")
        body(file)
        H5Fclose(file)
    }

    static func delete(_ name: String, in path: String) {
        edit(path) { file in precondition(H5Ldelete(file, name, hid_t(H5P_DEFAULT)) >= 0) }
    }

    static func setVersion(_ version: Int64, in path: String) { setAttribute("format_version", version, in: path) }

    /// Overwrites the root's integer attribute `name`.
    static func setAttribute(_ name: String, _ value: Int64, in path: String) {
        edit(path) { file in
            let attribute = H5Aopen(file, name, hid_t(H5P_DEFAULT))
            var v = value
            H5Awrite(attribute, chdf5_native_int64(), &v)
            H5Aclose(attribute)
        }
    }

    /// Replaces the dataset `name` with `values` of another type or shape (contiguous storage).
    static func replace<T>(_ name: String, in path: String, with values: [T], shape: [Int], fileType: hid_t, memoryType: hid_t) {
        edit(path) { file in
            H5Ldelete(file, name, hid_t(H5P_DEFAULT))
            var dims = shape.map { hsize_t($0) }
            let space = H5Screate_simple(Int32(dims.count), &dims, nil)
            let dataset = H5Dcreate2(file, name, fileType, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            values.withUnsafeBytes { _ = H5Dwrite(dataset, memoryType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), $0.baseAddress) }
            H5Dclose(dataset)
            H5Sclose(space)
        }
    }

    /// Flips one bit in the middle of the first occurrence of `pattern` (a dataset's raw bytes).
    static func flipBit(in path: String, inside pattern: [UInt8]) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard let start = (0...(bytes.count - pattern.count)).first(where: { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        bytes[start + pattern.count / 2] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func truncate(_ path: String, to fraction: Double) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: path))
    }

    static func littleEndianBytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
    static func littleEndianBytes(_ values: [Int32]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }
}
