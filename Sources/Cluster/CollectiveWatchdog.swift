import CMPI
import Foundation
import Kernels
import Training

/// The collective timeout (MPI's collectives have none): a node that leaves the network mid-step
/// would otherwise keep every other rank waiting in the allreduce for ever.
///
/// MPICollective polls each nonblocking collective and calls `check` between polls. A rank that
/// has waited `seconds` in one collective calls the roll: a numbered message to every other rank.
/// A listening thread on every rank answers roll calls within milliseconds, whatever the rank is
/// doing (computing, writing a checkpoint, waiting), so the ranks that do not answer within `grace`
/// are the ones that stopped: a vanished node, a frozen or dead process. If every rank answers, the
/// collective is only slow (rank 0 writing a large checkpoint to a slow disk), and waiting goes on.
///
/// Otherwise the lowest rank that answered reports: the caller sends it the silent ranks (or is it).
/// It prints one `vrnn: error:` line naming the activity (the step) and the silent ranks with
/// their hosts, sends a verdict to every other rank that answered, and exits; a verdict makes a
/// rank exit at once. So one line is printed and no rank is left waiting. If no verdict comes
/// within another grace period, the caller calls the roll again: a reporter that still answers is
/// reporting, and the caller just exits; one that does not is lost too, and the caller reports.
/// A rank that keeps answering from outside a collective but begins none for 10 timeouts is
/// stuck (a hung file system): it is named the same way, and its listener ends it too.
///
/// The messages are point-to-point on MPI_COMM_WORLD under tags of their own (MPI keeps
/// collective traffic in a separate context); only the listener receives them. Without
/// MPI_THREAD_MULTIPLE there is no listener, and a rank answers only while it polls a collective.
///
/// Shared with the listener thread: every field both threads touch is read and written under `lock`
/// (`waitStart` is the main thread's alone), hence @unchecked Sendable.
final class CollectiveWatchdog: @unchecked Sendable {
    enum Tag: Int32 {
        case rollCall = 0x7672   // payload: the call's number
        case answer = 0x7673     // payload: the call's number, collectives begun, 1 if waiting in one
        case verdict = 0x7674    // empty: the reporter has spoken, exit
        case report = 0x7675     // payload: how many silent ranks, the silent ranks, the stuck ones
    }
    /// The exit status of every rank that ends on a timeout.
    static let exitStatus: Int32 = 1

    let rank: Int
    let size: Int
    /// Each rank's host (MPI_Get_processor_name), gathered when MPI starts.
    let hosts: [String]
    /// nil: wait for ever.
    var seconds: Double? {
        get { locked { _seconds } }
        set { locked { _seconds = newValue } }
    }

    private let lock = NSLock()
    private var _seconds: Double?
    private var _context = CollectiveContext()
    /// When this rank began waiting in the current collective, and when it last checked (main
    /// thread only).
    private var waitStart = 0.0
    private var lastCheck = 0.0
    /// This rank's collectives begun, and whether it waits in one (for its answers).
    private var collectives: Int32 = 0
    private var waiting = false
    /// Per rank, the collectives it had begun when first seen outside a collective during this
    /// wait, and when (main thread only).
    private var idleSince: [Int: (collectives: Int32, time: Double)] = [:]
    /// Progress answered to the open call: collectives begun, and whether waiting in one.
    private var progress: [Int: (collectives: Int32, waiting: Bool)] = [:]
    /// The current roll call's number, and the ranks that answered it.
    private var call: Int32 = 0
    private var callOpen = false
    private var answered = Set<Int>()
    private var reporting = false
    private var listening = false
    private let listenerEnded = DispatchSemaphore(value: 0)

    init(rank: Int, size: Int, hosts: [String], threads: Bool) {
        self.rank = rank; self.size = size; self.hosts = hosts
        guard size > 1, threads else { return }
        listening = true
        let listener = Thread {   // holds the watchdog until it ends (stop())
            while self.locked({ self.listening }) {
                self.receive()
                usleep(50_000)   // answers within 50 ms; the grace is 2 s or more
            }
            self.listenerEnded.signal()
        }
        listener.name = "vrnn roll-call listener"
        listener.start()
    }

    var context: CollectiveContext {
        get { locked { _context } }
        set { locked { _context = newValue } }
    }

    /// Stops the listener (before MPI_Finalize).
    func stop() {
        let wasListening: Bool = locked {
            defer { listening = false }
            return listening
        }
        if wasListening { listenerEnded.wait() }
    }

    /// How long a rank that called the roll waits for answers, and a caller for the reporter.
    var grace: Double { min(max(2, (seconds ?? 0) / 10), 30) }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// A collective begins: the clock starts.
    func begin() {
        waitStart = Self.now()
        lastCheck = waitStart
        idleSince = [:]
        locked {
            collectives &+= 1
            waiting = true
        }
    }

    /// The collective is complete.
    func end() { locked { waiting = false } }

    /// A rank that answers but begins no collective for this long, outside one, is stuck.
    var stuckAfter: Double { 10 * (seconds ?? 0) }

    /// Between polls of a collective: past the timeout, calls the roll and ends the job if some
    /// rank does not answer.
    func check() {
        guard size > 1 else { return }
        let listener = locked { listening }
        if !listener { receive() }
        // Checks come every few hundred microseconds while this rank runs. A longer gap means this
        // rank itself was not running (stopped with SIGSTOP and let go, a suspended machine): that
        // time is not the others' silence, so the wait starts again. (A frozen rank that mpirun
        // wakes to end the job must not report the ranks that already left.)
        let now = Self.now()
        if now - lastCheck > grace { waitStart = now }
        lastCheck = now
        guard let seconds, now - waitStart >= seconds else { return }
        let silent = callRoll(polling: !listener)
        let stuck = stuckRanks()
        if silent.isEmpty && stuck.isEmpty {   // only slow, or busy on its own: wait on
            waitStart = Self.now()
            return
        }
        let reporter = (0..<size).first { !silent.contains($0) && !stuck.contains($0) } ?? rank
        if reporter != rank {
            send(.report, [Int32(silent.count)] + (silent + stuck).map(Int32.init), to: reporter)
            let deadline = Self.now() + grace
            while Self.now() < deadline {
                usleep(1000)
                if !listener { receive() }
            }
            // No verdict yet: if the reporter still answers, it is reporting (one line only);
            // otherwise it is lost too, and this rank reports.
            let stillSilent = callRoll(polling: !listener)
            if !stillSilent.contains(reporter) { leave() }
            report(silent: Array(Set(silent + stillSilent)).sorted(), stuck: stuck.filter { !stillSilent.contains($0) })
        }
        report(silent: silent, stuck: stuck)
    }

    /// The ranks that answered the last call from outside a collective, having begun none for
    /// `stuckAfter` seconds of this wait (a hung file system: alive, but never coming).
    private func stuckRanks() -> [Int] {
        let now = Self.now(), answers = locked { progress }
        for (peer, answer) in answers {
            if answer.waiting || idleSince[peer]?.collectives != answer.collectives {
                idleSince[peer] = answer.waiting ? nil : (answer.collectives, now)
            }
        }
        return idleSince.filter { now - $0.value.time >= stuckAfter }.keys.sorted()
    }

    /// Sends a numbered roll call to every other rank and waits up to `grace` for the answers;
    /// returns the ranks that did not answer.
    private func callRoll(polling: Bool) -> [Int] {
        let number: Int32 = locked {
            call += 1
            callOpen = true
            answered = []
            progress = [:]
            return call
        }
        for peer in 0..<size where peer != rank { send(.rollCall, [number], to: peer) }
        let deadline = Self.now() + grace
        var silent = [Int]()
        repeat {
            usleep(1000)
            if polling { receive() }
            silent = locked { (0..<size).filter { $0 != rank && !answered.contains($0) } }
        } while !silent.isEmpty && Self.now() < deadline
        locked { callOpen = false }
        return silent
    }

    /// Prints the one line, tells every rank that answered (the stuck ones too), and exits (once,
    /// from either thread).
    private func report(silent: [Int], stuck: [Int]) -> Never {
        let first: Bool = locked {
            defer { reporting = true }
            return !reporting
        }
        guard first else { while true { sleep(1) } }   // the other thread is reporting and exits
        let context = self.context
        var verdicts = (0..<size).filter { $0 != rank && !silent.contains($0) }.map { send(.verdict, [], to: $0, keep: true) }
        var what = [String]()
        if !silent.isEmpty {
            what.append("\(describe(silent)) stopped answering: a collective waited \(Self.format(seconds ?? 0)) s (--collective-timeout) "
                        + "and \(silent.count == 1 ? "it" : "they") did not answer a roll call within \(Self.format(grace)) s")
        }
        if !stuck.isEmpty {
            what.append("\(describe(stuck)) \(stuck.count == 1 ? "answers" : "answer") but began no collective for "
                        + "\(Self.format(stuckAfter)) s (10 x --collective-timeout): stuck outside one (a hung file system?)")
        }
        FileHandle.standardError.writeMessage("vrnn: error: \(context.activity): " + what.joined(separator: "; ")
            + "; every other rank ends here\(context.recovery.isEmpty ? "" : "; " + context.recovery)\n")
        // The verdicts must leave before this process does (over TCP a first message to a peer
        // may still need its connection set up, which only polling drives).
        let deadline = Self.now() + grace
        var sent: Int32 = 0
        while sent == 0 && Self.now() < deadline {
            MPI_Testall(Int32(verdicts.count), &verdicts, &sent, nil)
        }
        leave()
    }

    /// Ends this process at once, its buffered output written (MPI cannot be finalised with a
    /// rank gone).
    private func leave() -> Never {
        fflush(nil)
        _exit(Self.exitStatus)
    }

    /// "rank 2 (host node2)", "ranks 2, 3 (host node2)", "ranks 1 (host a), 3 (host b)".
    func describe(_ ranks: [Int]) -> String {
        let hostsNamed = Set(ranks.map { hosts[$0] })
        if hostsNamed.count == 1 {
            return "rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) (host \(hosts[ranks[0]]))"
        }
        return "ranks " + ranks.map { "\($0) (host \(hosts[$0]))" }.joined(separator: ", ")
    }

    /// Sends `payload` (not waited for: to a vanished node it never arrives). Its buffer is
    /// allocated per message and never freed, as MPI may read it after this returns; messages
    /// are sent only when a collective has timed out.
    @discardableResult
    private func send(_ tag: Tag, _ payload: [Int32], to peer: Int, keep: Bool = false) -> MPI_Request? {
        let buffer = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, payload.count))
        buffer.initialize(from: payload, count: payload.count)
        var request: MPI_Request?
        MPI_Isend(buffer, Int32(payload.count), cmpi_int32(), Int32(peer), tag.rawValue, cmpi_comm_world(), &request)
        if !keep { MPI_Request_free(&request) }
        return request
    }

    /// Receives whatever has arrived under the watchdog's tags: a roll call is answered, an
    /// answer to the open call counts, a report makes this rank the reporter, a verdict ends it.
    private func receive() {
        while let (tag, source, payload) = probe() {
            switch tag {
            case .verdict:
                leave()
            case .rollCall:
                let (begun, inOne) = locked { (collectives, waiting) }
                send(.answer, [payload.first ?? 0, begun, inOne ? 1 : 0], to: source)
            case .answer:
                locked {
                    guard callOpen && payload.count == 3 && payload[0] == call else { return }
                    answered.insert(source)
                    progress[source] = (payload[1], payload[2] != 0)
                }
            case .report:
                let silentCount = Int(payload.first ?? 0), ranks = payload.dropFirst().map(Int.init)
                report(silent: Array(ranks.prefix(silentCount)), stuck: Array(ranks.dropFirst(silentCount)))
            }
        }
    }

    /// The next message under one of the watchdog's tags, received, or nil.
    private func probe() -> (Tag, Int, [Int32])? {
        for tag in [Tag.verdict, .report, .rollCall, .answer] {
            var flag: Int32 = 0
            var status = MPI_Status()
            MPI_Iprobe(MPI_ANY_SOURCE, tag.rawValue, cmpi_comm_world(), &flag, &status)
            guard flag != 0 else { continue }
            var count: Int32 = 0
            MPI_Get_count(&status, cmpi_int32(), &count)
            var payload = [Int32](repeating: 0, count: Int(count))
            MPI_Recv(&payload, count, cmpi_int32(), status.MPI_SOURCE, tag.rawValue, cmpi_comm_world(), nil)
            return (tag, Int(status.MPI_SOURCE), payload)
        }
        return nil
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
