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
        BLASSetup.ensureFastKernel()
        BLASSetup.configureThreads()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
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
            FileHandle.standardError.write(Data("vrnn: error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }

    /// Prints the parser's message (help, usage error) and exits with its code. Under mpirun
    /// every rank gets here with the same arguments: rank 0 alone prints, in one write, and no
    /// rank exits before it is out (an early exit makes mpirun print its banner into it).
    static func exitOnce(withError error: Error) -> Never {
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] != nil else { exit(withError: error) }
        let world = MPICollective()
        if world.rank == 0 {
            let message = fullMessage(for: error)
            let stream = exitCode(for: error) == .success ? FileHandle.standardOutput : FileHandle.standardError
            stream.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
        }
        _ = world.allreduceMinMax([0])
        world.finalize()
        Foundation.exit(exitCode(for: error).rawValue)
    }
}
