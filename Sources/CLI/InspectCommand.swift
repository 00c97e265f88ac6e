import ArgumentParser
import Runs

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a vrnn HDF5 file (dataset, checkpoint or weights) holds.")

    @Argument(help: "The file (a run folder means its latest checkpoint).") var path: String

    func run() throws {
        let report = try FileInspection.describe(path)
        for line in report.lines { print(line) }
        guard report.damaged.isEmpty else {
            throw UserError("\(path): \(report.damaged.count) tensor\(report.damaged.count == 1 ? " is" : "s are") damaged ("
                            + report.damaged.joined(separator: ", ") + "); the file cannot be trusted")
        }
    }
}
