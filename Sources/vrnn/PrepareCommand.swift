import ArgumentParser
import Foundation
import Storage

struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare", abstract: "Turn raw data into a vrnn dataset file (HDF5).",
        subcommands: [PrepareText.self, PrepareCSV.self, PrepareWAV.self, PrepareNPY.self, PrepareSynthetic.self])
}

struct PrepareText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "A text file (bytes or UTF-8) as one token stream; its last part becomes the validation split.")

    @Argument(help: "The text file.") var input: String
    @Option(help: "ascii: the fixed 128-character vocabulary of the reference notebook; data: the bytes the text uses.")
    var vocab: Vocabulary = .ascii
    @OptionGroup var output: PrepareOutput

    enum Vocabulary: String, ExpressibleByArgument, CaseIterable { case ascii, data }

    func run() throws {
        try output.checkWritable()
        let validFraction = output.validFraction
        let bytes = try EncodedText.read(input)
        let text = EncodedText(bytes: bytes, vocabulary: vocab == .ascii ? EncodedText.ascii : Array(Set(bytes)).sorted())
        let (tokens, vocabulary, outside) = (text.tokens, text.vocabulary, text.replaced)
        let validCount = Int((Double(tokens.count) * validFraction).rounded())
        let trainCount = tokens.count - validCount
        let metadata = """
            {"kind":"text","source":"\((input as NSString).lastPathComponent)","vocab":"\(vocab.rawValue)",\
            "characters":\(tokens.count),"outside_vocabulary_replaced":\(outside),"valid_fraction":\(validFraction)}
            """
        let dataset = SequenceDataset(values: .tokens(tokens, vocabulary: vocabulary),
                                      offsets: [0, Int64(trainCount), Int64(tokens.count)],
                                      train: 0..<1, valid: validCount > 0 ? 1..<2 : 1..<1, metadata: metadata)
        try dataset.write(to: output.out, overwrite: output.force)
        print("vrnn prepare: \(output.out): \(trainCount) training and \(validCount) validation characters, vocabulary \(vocabulary.count)"
              + (outside > 0 ? ", \(outside) characters outside it replaced by '?'" : ""))
    }
}
