import ArgumentParser
import Runs

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's weights with PyTorch's names and layouts (docs/FILES.md shows how to load them).")

    @Option(help: "A checkpoint file, a run folder (its latest checkpoint), or RUN:best (the run's best validated checkpoint).") var checkpoint: String
    @Option(help: "Output weights file (HDF5).") var out: String
    @Flag(help: "Replace an existing output file.") var force = false

    func run() throws {
        print(try LoadedCheckpoint(checkpoint).exportWeights(to: out, force: force))
    }
}
