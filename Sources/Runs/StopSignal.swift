import Dispatch
import Foundation

/// SIGTERM, SIGINT and SIGUSR1 ask the run to stop: the handler only records the request; the
/// training loop reduces it across ranks at the next step boundary, so every rank stops at the
/// same step, writes the checkpoint and exits 0 (ARCHITECTURE §3: decisions are agreed, never one
/// rank's). SIGUSR1 is there because mpirun forwards it to every rank, while it answers SIGTERM
/// and SIGINT itself by ending the job with status 1 (launch/mpirun converts them).
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []
    /// Each signal's disposition before the run, given back at its end.
    private var previous: [(Int32, sigaction)] = []

    init(signals: [Int32] = [SIGTERM, SIGINT, SIGUSR1]) {
        for number in signals {
            var old = sigaction()
            sigaction(number, nil, &old)
            previous.append((number, old))
            signal(number, SIG_IGN)  // the default action would kill the process before the source sees it
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.record(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// A library must not change the process's signal handling for good: the run's end gives
    /// each signal back the disposition it had before.
    deinit {
        for source in sources { source.cancel() }
        for (number, old) in previous {
            var restored = old
            sigaction(number, &restored, nil)
        }
    }

    private func record(_ number: Int32) {
        lock.lock(); defer { lock.unlock() }
        if received == nil { received = number }
    }

    /// The first signal received, if any.
    var requested: Int32? {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    static func name(_ number: Int32) -> String {
        [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1"][number] ?? "signal \(number)"
    }
}
