import Foundation

/// Writes .npy arrays (format version 1.0).
public enum NPYWriter {
    /// A float32 little-endian C-order array.
    public static func data(_ values: [Float], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count)
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var data = header(descr: "<f4", shape: "(\(dims))", fortranOrder: false)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Magic, version, header length and the header dictionary, padded so the data starts on a
    /// 64-byte boundary as NumPy writes it.
    public static func header(descr: String, shape: String, fortranOrder: Bool) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        return data
    }
}
