import Foundation

/// A checksum over what HDF5's Fletcher32 filter (on every dataset's values) does not cover:
/// every attribute (of the root, groups and datasets) and every dataset's shape and element
/// type. Stored as the root attribute `metadata_checksum` of checkpoints and datasets and verified
/// on every read, so a flipped bit in the step, the config, Adam's state, a tensor's type or a
/// dataset's fingerprint is reported as damage instead of being used.
enum MetadataDigest {
    static let attribute = "metadata_checksum"

    static func compute(_ file: HDF5File) throws -> String {
        var text = ""
        for object in ["/"] + (try file.objectNames()) {
            for name in try file.attributeNames(of: object) where !(object == "/" && name == attribute) {
                let value: String
                if let string = try? file.stringAttribute(name, of: object) { value = string } else {
                    value = String(format: "%.17g", try file.doubleAttribute(name, of: object))
                }
                text += "\(object)@\(name)=\(value)\n"
            }
        }
        for name in try file.datasetNames() {
            let description = try file.describe(name)
            text += "\(name) \(description.shape) \(description.dtype)\n"
        }
        let hash = text.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16)
    }

    /// Adds the checksum to a file being written (after everything else in it).
    static func stamp(_ writer: HDF5Writer) throws {
        try writer.setAttribute(attribute, try compute(HDF5File(reading: writer)))
    }

    /// Throws when the stored checksum is missing or does not match.
    static func verify(_ file: HDF5File) throws {
        guard let stored = try? file.stringAttribute(attribute) else {
            throw HDF5Error("\(file.path): its \(attribute) attribute is missing; the file is damaged")
        }
        guard stored == (try compute(file)) else {
            throw HDF5Error("\(file.path): its attributes, shapes or types do not match their checksum; the file is damaged")
        }
    }
}
