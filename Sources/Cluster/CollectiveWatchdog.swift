import CMPI
import Foundation
import Training

/// The collective timeout (MPI's collectives have none): a node that leaves the network mid-step
/// would otherwise keep every other rank waiting in the allreduce forever.
///
/// MPICollective polls each nonblocking collective and calls `check` between polls. A rank that
/// has waited `seconds` in one collective calls the roll: a small message to every other rank.
/// Every rank that is waiting in a collective answers a roll call at once (and one still computing
/// answers as soon as it reaches its next collective), so the ranks that do not answer within
/// `grace` are the ones that stopped: a vanished node, a frozen or dead process. The lowest rank
/// that answered prints one `vrnn: error:` line naming the activity (the step) and the silent
/// ranks with their hosts, tells the other answering ranks, and they all exit: none is left
/// waiting. When every rank answers, the collective is only slow (rank 0 writing a large checkpoint
/// to a slow disk), and waiting goes on.
///
/// Roll calls, answers and verdicts are empty point-to-point messages on MPI_COMM_WORLD under tags
/// of their own; MPI keeps collective traffic in a separate context, so they never match a collective's.
final class CollectiveWatchdog {
    static let rollCallTag: Int32 = 0x7672
    static let answerTag: Int32 = 0x7673
    static let verdictTag: Int32 = 0x7674
    /// The exit status of every rank that ends on a timeout.
    static let exitStatus: Int32 = 1

    let rank: Int
    let size: Int
    /// Each rank's host (MPI_Get_processor_name), gathered when MPI starts.
    let hosts: [String]
    /// nil: wait for ever.
    let seconds: Double?
    var context = CollectiveContext()

    /// When this rank began waiting in the current collective (monotonic seconds).
    private var waitStart = 0.0
    /// When a roll call or an answer last came from each rank.
    private var heard: [Double]
    /// The 0-byte messages' buffer: MPI needs an address, never reads it.
    private var empty: UInt8 = 0

    init(rank: Int, size: Int, hosts: [String], seconds: Double?) {
        self.rank = rank; self.size = size; self.hosts = hosts; self.seconds = seconds
        heard = Array(repeating: -Double.infinity, count: size)
    }

    /// How long a rank that called the roll waits for answers: a rank still computing its step
    /// answers when it reaches its next collective, so this bounds the step imbalance tolerated.
    var grace: Double { min(max(2, (seconds ?? 0) / 10), 30) }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// A collective begins: the clock starts.
    func begin() {
        waitStart = Self.now()
    }

    /// Between polls of the collective: answers roll calls, and past the timeout calls the roll
    /// and ends this process if some rank does not answer.
    func check() {
        guard size > 1 else { return }
        answerRollCalls()
        guard let seconds, Self.now() - waitStart >= seconds else { return }
        callRoll()
        let calledAt = Self.now()
        var silent = silentRanks(since: waitStart)
        while !silent.isEmpty && Self.now() - calledAt < grace {
            usleep(1000)
            answerRollCalls()
            silent = silentRanks(since: waitStart)
        }
        if silent.isEmpty {   // only slow: wait on
            waitStart = Self.now()
            return
        }
        let reporter = (0..<size).first { !silent.contains($0) } ?? rank
        if rank != reporter {
            // The reporter speaks for everyone; if it does not within another grace period, this rank does.
            let deadline = Self.now() + grace
            while Self.now() < deadline { usleep(1000); answerRollCalls() }
        }
        var verdicts = (0..<size).filter { $0 != rank && !silent.contains($0) }.map { send(Self.verdictTag, to: $0) }
        say("vrnn: error: \(context.activity): \(describe(silent)) stopped answering: a collective waited "
            + "\(Self.format(seconds)) s (--collective-timeout) and \(silent.count == 1 ? "it" : "they") did not answer "
            + "a roll call within \(Self.format(grace)) s; every other rank ends here\(context.recovery.isEmpty ? "" : "; " + context.recovery)")
        // The verdicts must leave before this process does (over TCP a first message to a peer
        // may still need its connection set up, which only polling drives).
        let deadline = Self.now() + grace
        var sent: Int32 = 0
        while sent == 0 && Self.now() < deadline {
            MPI_Testall(Int32(verdicts.count), &verdicts, &sent, nil)
        }
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

    /// The ranks other than this one that have not been heard from since `time`.
    private func silentRanks(since time: Double) -> [Int] {
        (0..<size).filter { $0 != rank && heard[$0] < time }
    }

    /// Sends a roll call to every other rank.
    private func callRoll() {
        for peer in 0..<size where peer != rank { forget(send(Self.rollCallTag, to: peer)) }
    }

    /// An empty message (to a vanished node it never arrives, so only a verdict is waited for).
    private func send(_ tag: Int32, to peer: Int) -> MPI_Request? {
        var request: MPI_Request?
        MPI_Isend(&empty, 0, cmpi_byte(), Int32(peer), tag, cmpi_comm_world(), &request)
        return request
    }

    /// Lets a send complete on its own (MPI frees it then).
    private func forget(_ request: MPI_Request?) {
        var request = request
        MPI_Request_free(&request)
    }

    /// Receives what has arrived: a roll call is answered, a roll call or an answer shows its
    /// sender alive, and a verdict means the reporter has spoken, so this rank ends.
    private func answerRollCalls() {
        var flag: Int32 = 0
        var status = MPI_Status()
        MPI_Iprobe(MPI_ANY_SOURCE, Self.verdictTag, cmpi_comm_world(), &flag, &status)
        if flag != 0 { _exit(Self.exitStatus) }
        for tag in [Self.rollCallTag, Self.answerTag] {
            while true {
                MPI_Iprobe(MPI_ANY_SOURCE, tag, cmpi_comm_world(), &flag, &status)
                guard flag != 0 else { break }
                MPI_Recv(&empty, 0, cmpi_byte(), status.MPI_SOURCE, tag, cmpi_comm_world(), nil)
                heard[Int(status.MPI_SOURCE)] = Self.now()
                if tag == Self.rollCallTag { forget(send(Self.answerTag, to: Int(status.MPI_SOURCE))) }
            }
        }
    }

    private func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
