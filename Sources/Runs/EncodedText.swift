import Foundation

/// Bytes of a text as token ids over a vocabulary of bytes. A byte outside the vocabulary
/// becomes '?' and is counted; a vocabulary without '?' (one built from data that had none) has
/// nothing to stand for it, and such text is refused.
struct EncodedText {
    /// The fixed ASCII-128 vocabulary of the reference notebook.
    static let ascii = [UInt8](0..<128)

    let tokens: [Int32]
    let vocabulary: [UInt8]
    let replaced: Int

    /// `source` names the text in the refusal ("--prime", a file name).
    init(bytes: Data, vocabulary: [UInt8], source: String) throws {
        var index = [Int32](repeating: -1, count: 256)
        for (i, b) in vocabulary.enumerated() { index[Int(b)] = Int32(i) }
        let replacement = index[Int(UInt8(ascii: "?"))]
        let outside = bytes.filter { index[Int($0)] < 0 }
        if !outside.isEmpty && replacement < 0 {
            let shown = Set(outside).sorted().prefix(8).map { $0 >= 32 && $0 < 127 ? "'\(Character(Unicode.Scalar($0)))'" : "byte \($0)" }
            throw UserError("\(source) has \(outside.count) characters outside the model's vocabulary (\(shown.joined(separator: ", "))), "
                            + "which has no '?' to stand for them; use only characters of the training text")
        }
        tokens = bytes.map { index[Int($0)] >= 0 ? index[Int($0)] : replacement }
        self.vocabulary = vocabulary
        replaced = outside.count
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
