import ArgumentParser
import Runs

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a vrnn HDF5 file (dataset, checkpoint or weights) holds.")

    @Argument(help: "The file (a run folder means its latest checkpoint).") var path: String

    func run() throws {
        for line in try FileInspection.describe(path) { print(line) }
    }
}
