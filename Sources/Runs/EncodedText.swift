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
        var counts = [Int](repeating: 0, count: 256)
        for b in bytes { counts[Int(b)] += 1 }
        let ids = try Self.ids(of: vocabulary, counts: counts, source: source)
        tokens = bytes.map { ids[Int($0)] }
        self.vocabulary = vocabulary
        replaced = Self.outside(vocabulary, counts: counts)
    }

    /// The id of every byte over `vocabulary`, '?' standing for bytes outside it; refused when
    /// the text (`counts` per byte) has such bytes and the vocabulary no '?'.
    static func ids(of vocabulary: [UInt8], counts: [Int], source: String) throws -> [Int32] {
        var index = [Int32](repeating: -1, count: 256)
        for (i, b) in vocabulary.enumerated() { index[Int(b)] = Int32(i) }
        let replacement = index[Int(UInt8(ascii: "?"))]
        let missing = (0..<256).filter { counts[$0] > 0 && index[$0] < 0 }
        if !missing.isEmpty && replacement < 0 {
            let shown = missing.prefix(8).map { $0 >= 32 && $0 < 127 ? "'\(Character(Unicode.Scalar(UInt8($0))))'" : "byte \($0)" }
            throw UserError("\(source) has \(outside(vocabulary, counts: counts)) characters outside the model's vocabulary "
                            + "(\(shown.joined(separator: ", "))), which has no '?' to stand for them; use only characters of the training text")
        }
        return index.map { $0 >= 0 ? $0 : replacement }
    }

    /// How many bytes of a text with `counts` per byte fall outside `vocabulary`.
    static func outside(_ vocabulary: [UInt8], counts: [Int]) -> Int {
        let inside = Set(vocabulary)
        return (0..<256).filter { !inside.contains(UInt8($0)) }.reduce(0) { $0 + counts[$1] }
    }

    /// Calls `body` with the file's bytes a block of 16 MB at a time; one clear line when it is
    /// missing, unreadable or empty. Returns the file's size.
    @discardableResult
    static func readBlocks(_ path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int {
        guard let file = fopen(path, "rb") else { throw UserError("\(path): cannot read the file (missing or not readable)") }
        defer { fclose(file) }
        var block = [UInt8](repeating: 0, count: 16 << 20), size = 0
        while true {
            let count = fread(&block, 1, block.count, file)
            if count > 0 { try block.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<count])) } }
            size += count
            if count < block.count {
                guard ferror(file) == 0 else { throw UserError("\(path): cannot read the file: \(String(cString: strerror(errno)))") }
                break
            }
        }
        guard size > 0 else { throw UserError("\(path): the file is empty") }
        return size
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
