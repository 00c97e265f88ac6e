import Foundation
import Training

/// A failure the user can fix, reported as one line `vrnn: error: ...` with a non-zero exit.
public struct UserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A failure already reported by the rank that met it (one line on standard error): the caller
/// only exits with status 1, on every rank.
public struct ReportedFailure: Error {
    public init() {}
}

/// Runs `body` on every rank; when it fails on any (a file visible on one node but not another),
/// the lowest failing rank reports and every rank leaves together with `ReportedFailure`.
public func agreeing<T>(_ world: Collective, _ body: () throws -> T) throws -> T {
    let outcome = Result { try body() }
    if let failing = world.firstFailingRank((try? outcome.get()) == nil) {
        if world.rank == failing, case .failure(let error) = outcome { report(error, world) }
        throw ReportedFailure()
    }
    return try outcome.get()
}

/// Prints `vrnn: error: ...` (naming the rank when there are several) to standard error.
public func report(_ error: Error, _ world: Collective) {
    let rank = world.size > 1 ? "rank \(world.rank): " : ""
    FileHandle.standardError.write(Data("vrnn: error: \(rank)\(error)\n".utf8))
}
