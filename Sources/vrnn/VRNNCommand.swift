import ArgumentParser
import Cluster
import Foundation

@main
struct VRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vrnn",
        abstract: "Train Variational Recurrent Neural Networks (Chung et al. 2015) data-parallel over MPI ranks.",
        version: VRNNVersion.current,
        subcommands: [PrepareCommand.self, TrainCommand.self, SampleCommand.self, ExportCommand.self, InspectCommand.self,
                      BenchCommand.self])

    static func main() {
        BLASSetup.ensureFastKernel()
        BLASSetup.configureThreads()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // Under mpirun every rank parses the same arguments: rank 0 alone prints the message,
            // in one write, and no rank exits before it is out (an early exit makes mpirun print
            // its own banner into the middle of it).
            if ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] != nil {
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
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as ValidationError {
            exit(withError: error)
        } catch {
            // Our own errors (bad files, configs, data) are one line each.
            FileHandle.standardError.write(Data("vrnn: error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// A failure the user can fix, reported as one line `vrnn: error: ...` with a non-zero exit.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
