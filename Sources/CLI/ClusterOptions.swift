import ArgumentParser
import Cluster

/// The options of commands that run on many ranks: how long a rank waits for the others.
struct ClusterOptions: ParsableArguments, OptionChecks {
    @Option(name: .customLong("collective-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds a rank waits in one collective for the others before it finds which rank stopped answering (a node gone from the network), names it and ends the job; at least 1, or 0 to wait for ever.",
                               valueName: "seconds"))
    var collectiveTimeout = MPICollective.defaultTimeout

    func checkOptions() throws {
        guard collectiveTimeout.isFinite && (collectiveTimeout == 0 || collectiveTimeout >= 1) else {
            throw ValidationError("--collective-timeout must be 0 (wait for ever) or at least 1 second (got \(collectiveTimeout))")
        }
    }

    /// MPI_COMM_WORLD with this timeout.
    func world() -> MPICollective { MPICollective(timeout: collectiveTimeout == 0 ? nil : collectiveTimeout) }
}
