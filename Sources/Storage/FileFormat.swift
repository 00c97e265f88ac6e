/// The root attributes every vrnn file carries (ARCHITECTURE §6): `format` names the kind of file
/// and `format_version` its layout, so a reader refuses another kind of file, or a newer layout,
/// with one line saying so.
public struct FileFormat: Equatable, Sendable {
    public let name: String
    public let version: Int64
    /// What the user calls this kind of file, and how to make one.
    let noun: String
    let remedy: String

    /// Version 2: uint8 token ids, the training split's fingerprint and the metadata checksum.
    public static let dataset = FileFormat(name: "vrnn-dataset", version: 2, noun: "dataset", remedy: "make one with `vrnn prepare`")
    /// Version 2: the metadata checksum (MetadataDigest).
    public static let checkpoint = FileFormat(name: "vrnn-checkpoint", version: 2, noun: "checkpoint",
                                              remedy: "give a checkpoint written by `vrnn train`, or its run folder")
    public static let weights = FileFormat(name: "vrnn-weights", version: 1, noun: "weights file", remedy: "make one with `vrnn export`")
    public static let all = [dataset, checkpoint, weights]

    /// Writes `format` and `format_version`.
    func stamp(_ writer: HDF5Writer) throws {
        try writer.setAttribute("format", name)
        try writer.setAttribute("format_version", version)
    }

    /// Throws unless the file is this kind of file in a layout this build reads.
    public func check(_ file: HDF5File) throws {
        let found = (try? file.stringAttribute("format")) ?? "(none)"
        guard found == name else {
            throw HDF5Error("\(file.path): not a vrnn \(noun) (format \(found)); \(remedy)")
        }
        guard let version = try? Int64(file.doubleAttribute("format_version")) else {
            throw HDF5Error("\(file.path): no format_version attribute; the file is damaged")
        }
        guard version <= self.version else {
            throw HDF5Error("\(file.path): \(noun) format version \(version) is newer than this vrnn reads (\(self.version)); update vrnn")
        }
    }
}
