import ArgumentParser
import Runs

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a vrnn HDF5 file (dataset, checkpoint or weights) holds.")

    @Argument(help: "The file (a run folder means its latest checkpoint; RUN:best its best).") var path: String

    func run() throws {
        let damaged = try FileInspection.describe(path) { print($0) }
        guard damaged.isEmpty else {
            throw UserError("\(path): \(damaged.count) tensor\(damaged.count == 1 ? " is" : "s are") damaged ("
                            + damaged.joined(separator: ", ") + "); the file cannot be trusted")
        }
    }
}
