import ArgumentParser
import Runs

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
    var vocab: DatasetPreparation.TextVocabulary = .ascii
    @OptionGroup var output: PrepareOutput

    func run() throws {
        print(try DatasetPreparation.text(input, vocabulary: vocab, output: output.target))
    }
}

extension DatasetPreparation.TextVocabulary: ExpressibleByArgument {}
