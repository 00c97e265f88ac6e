import Foundation
import Kernels
import Training

/// A failure the user can fix, reported as one line `vrnn: error: ...` with a non-zero exit.
public struct UserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A failure already reported by the rank that met it (one line on standard error): the CLI
/// only exits with status 1, on every rank. A program gets the message too (on the reporting
/// rank; the others learn which rank failed).
public struct ReportedFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs `body` on every rank; when it fails on any (a file visible on one node but not another),
/// the lowest failing rank reports and every rank leaves together with `ReportedFailure`.
public func agreeing<T>(_ world: Collective, _ body: () throws -> T) throws -> T {
    let outcome = Result { try body() }
    if let failing = world.firstFailingRank((try? outcome.get()) == nil) {
        if case .failure(let error) = outcome, world.rank == failing { throw reportedFailure(error, from: failing, world) }
        throw reportedFailure(UserError(""), from: failing, world)
    }
    return try outcome.get()
}

/// Prints `vrnn: error: ...` (naming the rank when there are several) to standard error.
public func report(_ error: Error, _ world: Collective) {
    let rank = world.size > 1 ? "rank \(world.rank): " : ""
    FileHandle.standardError.writeMessage("vrnn: error: \(rank)\(error)\n")
}

/// Reports `error` on rank `reporter` (one line) and returns what every rank throws: the
/// message on the reporting rank, the reporting rank's number on the others.
public func reportedFailure(_ error: Error, from reporter: Int = 0, _ world: Collective) -> ReportedFailure {
    guard world.rank == reporter else { return ReportedFailure("rank \(reporter) failed and reported why") }
    report(error, world)
    return ReportedFailure("\(error)")
}
