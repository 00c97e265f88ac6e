import Foundation

/// A NumPy .npy array of float32 or float64, shape [T, D] (or [T], read as D = 1), C order.
public enum NPYFile {
    public static func read(_ path: String) throws -> FrameSequence {
        guard let data = FileManager.default.contents(atPath: path) else { throw HDF5Error("\(path): cannot read the file") }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, String(decoding: bytes[1..<6], as: UTF8.self) == "NUMPY" else {
            throw HDF5Error("\(path): not a .npy file (no \\x93NUMPY magic)")
        }
        let major = Int(bytes[6])
        let headerLength = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
            : bytes.count >= 12 ? Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24 : -1
        let headerStart = major == 1 ? 10 : 12
        guard (1...3).contains(major), headerLength > 0, headerStart + headerLength <= bytes.count else {
            throw HDF5Error("\(path): unsupported or damaged .npy header (version \(major))")
        }
        let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let range = header.range(of: "'\(key)':") else { return nil }
            return String(header[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descr = field("descr")?.split(separator: "'").first.map(String.init),
              let fortran = field("fortran_order"), let shapeText = field("shape") else {
            throw HDF5Error("\(path): the .npy header lacks descr, fortran_order or shape")
        }
        guard !fortran.hasPrefix("True") else { throw HDF5Error("\(path): Fortran-ordered array; save it with np.ascontiguousarray") }
        let width: Int
        switch descr {
        case "<f4", "|f4": width = 4
        case "<f8": width = 8
        default: throw HDF5Error("\(path): dtype \(descr); vrnn reads little-endian float32 or float64 arrays")
        }
        let inside = shapeText.drop(while: { $0 != "(" }).dropFirst().prefix { $0 != ")" }
        let shape = inside.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(shape.count), shape.allSatisfy({ $0 > 0 }) else {
            throw HDF5Error("\(path): shape \(shape); vrnn reads [T, D] or [T] arrays with no empty axis")
        }
        // The element and byte counts are checked: a damaged header can claim any shape.
        let product = shape.reduce((1, false)) { total, n in
            let next = total.0.multipliedReportingOverflow(by: n)
            return (next.partialValue, total.1 || next.overflow)
        }
        guard !product.1, !product.0.multipliedReportingOverflow(by: width).overflow else {
            throw HDF5Error("\(path): shape \(shape) is too large to be a real array; the header is damaged")
        }
        let count = product.0, body = headerStart + headerLength
        guard bytes.count - body == count * width else {
            throw HDF5Error("\(path): holds \(bytes.count - body) data bytes where shape \(shape) needs \(count * width); the file is truncated")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                values[i] = width == 4
                    ? Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: body + 4 * i, as: UInt32.self))))
                    : Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: body + 8 * i, as: UInt64.self)))
            }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw HDF5Error("\(path): element \(bad) is \(values[bad]); the data must be finite")
        }
        return FrameSequence(values: values, dim: shape.count == 2 ? shape[1] : 1)
    }
}
