import Foundation

/// Bytes of a text file as token ids over a vocabulary of bytes. A byte outside the vocabulary
/// becomes '?' and is counted; that happens only with the ASCII vocabulary (which holds '?'),
/// since a vocabulary built from the data holds every byte.
struct EncodedText {
    /// The fixed ASCII-128 vocabulary of the reference notebook.
    static let ascii = [UInt8](0..<128)

    let tokens: [Int32]
    let vocabulary: [UInt8]
    let replaced: Int

    init(bytes: Data, vocabulary: [UInt8]) {
        var index = [Int32](repeating: -1, count: 256)
        for (i, b) in vocabulary.enumerated() { index[Int(b)] = Int32(i) }
        let replacement = index[Int(UInt8(ascii: "?"))]
        var replaced = 0
        tokens = bytes.map { byte in
            if index[Int(byte)] >= 0 { return index[Int(byte)] }
            replaced += 1
            return replacement
        }
        self.vocabulary = vocabulary
        self.replaced = replaced
    }

    /// The file's bytes, or one clear line when it is missing, unreadable or empty.
    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError("\(path): cannot read the file (missing or not readable)")
        }
        guard !data.isEmpty else { throw UserError("\(path): the file is empty") }
        return data
    }
}
