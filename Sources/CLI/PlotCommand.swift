import ArgumentParser
import Runs

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a run's loss curves (total and validation, reconstruction, KL and its weight) as SVG.",
        discussion: "Training also writes RUN/losses.svg at every checkpoint.")

    @Argument(help: "A run folder (or its metrics.csv).") var folder: String
    @Option(help: "Output SVG (default: RUN/losses.svg, which is always redrawn).") var out: String?
    @Flag(help: "Replace an existing --out file.") var force = false

    func run() throws {
        print("vrnn plot: \(try LossCurves.draw(folder, out: out, force: force))")
    }
}
