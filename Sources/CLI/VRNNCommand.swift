import ArgumentParser
import Cluster
import Foundation
import Kernels
import Runs

@main
struct VRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vrnn",
        abstract: "Train Variational Recurrent Neural Networks (Chung et al. 2015) data-parallel over MPI ranks.",
        version: VRNNVersion.current,
        subcommands: [PrepareCommand.self, TrainCommand.self, EvalCommand.self, SampleCommand.self, PlotCommand.self, ExportCommand.self, InspectCommand.self,
                      BenchCommand.self])

    static func main() {
        // launch/mpirun repeats SIGUSR1 (mpirun forwards it to every rank) until the job ends, as
        // one sent while the job starts can be lost. A training rank ignores it until training
        // listens (StopSignal) and again afterwards, so a repeat neither kills a starting rank nor
        // one that is finalising. Other commands keep the default: USR1 ends them.
        if CommandLine.arguments.dropFirst().first == "train" { signal(SIGUSR1, SIG_IGN) }
        BLASSetup.ensureFastKernel()
        BLASSetup.configureThreads()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
            try command.checkAllOptions()
        } catch {
            exitOnce(withError: error)
        }
        do {
            try command.run()
        } catch {
            // The parser's own outcomes (help, validation, exit codes) keep their meaning; every
            // other error is ours (a bad file, config or data) and is one line.
            if error is ReportedFailure { Foundation.exit(1) }  // already reported by the rank that met it (and MPI finalised)
            guard exitCode(for: error) == .failure else { exitOnce(withError: error) }
            FileHandle.standardError.writeMessage("vrnn: error: \(error)\n")
            Foundation.exit(1)
        }
    }

    /// Prints the parser's message (help, usage error) and exits with its code. Under mpirun
    /// every rank gets here with the same arguments: rank 0 alone prints, in one write, and no
    /// rank exits before it is out (an early exit makes mpirun print its banner into it).
    static func exitOnce(withError error: Error) -> Never {
        let code = exitCode(for: error)
        // Help and --version as the parser prints them; every refusal as one `vrnn: error:` line.
        let message = code == .success ? fullMessage(for: error) : "vrnn: error: " + Self.oneLine(error)
        let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
        let text = message.hasSuffix("\n") ? message : message + "\n"
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] != nil else {
            stream.writeMessage(text)
            Foundation.exit(code.rawValue)
        }
        let world = MPICollective()
        if world.rank == 0 { stream.writeMessage(text) }
        _ = world.allreduceMinMax([0])
        world.finalize()
        Foundation.exit(code.rawValue)
    }

    /// The parser's message for a usage error on one line, with where to find the options: the
    /// help of the deepest subcommand named (`vrnn prepare csv --help`, not `vrnn prepare --help`).
    static func oneLine(_ error: Error) -> String {
        let text = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var path = ["vrnn"], commands = configuration.subcommands
        for word in CommandLine.arguments.dropFirst().prefix(while: { !$0.hasPrefix("-") }) {
            guard let next = commands.first(where: { $0.configuration.commandName == word || $0.configuration.aliases.contains(word) }) else { break }
            path.append(word)
            commands = next.configuration.subcommands
        }
        return text.joined(separator: "; ") + " (\(path.joined(separator: " ")) --help lists the options)"
    }
}
