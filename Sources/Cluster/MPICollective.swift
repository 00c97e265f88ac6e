import CMPI
import Foundation
import Kernels
import Training

/// The Collective over MPI_COMM_WORLD. Initialises MPI once per process (a test process may create
/// several instances); works under mpirun and as a singleton without it.
///
/// Every collective is nonblocking and polled, so that a rank that stops answering (a node gone
/// from the network) cannot keep the others waiting for ever: past `timeout` seconds in one
/// collective, the CollectiveWatchdog finds the silent ranks, one line names them, and the job ends.
public final class MPICollective: Collective {
    public let rank: Int
    public let size: Int
    /// The seconds a rank waits in one collective before it calls the roll, when the caller gives none.
    public static let defaultTimeout = 300.0
    private let watchdog: CollectiveWatchdog
    /// The ring's receive buffer, one chunk, kept between calls.
    private var ringScratch = FloatBuffer(count: 0)

    public var context: CollectiveContext {
        get { watchdog.context }
        set { watchdog.context = newValue }
    }

    /// `timeout`: seconds a rank may wait in one collective (nil: for ever).
    public init(timeout: Double? = MPICollective.defaultTimeout) {
        // MPI_THREAD_MULTIPLE: the watchdog's listener answers roll calls while the main thread
        // works (Open MPI 4.1 provides it).
        var initialised: Int32 = 0, provided: Int32 = 0
        MPI_Initialized(&initialised)
        if initialised == 0 {
            MPI_Init_thread(nil, nil, Int32(MPI_THREAD_MULTIPLE), &provided)
        } else {
            MPI_Query_thread(&provided)
        }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
        // One watchdog per process (one listener may receive its messages); a later instance
        // takes it over with its own timeout.
        if let shared = Self.sharedWatchdog {
            watchdog = shared
        } else {
            let threads = provided >= Int32(MPI_THREAD_MULTIPLE)
            watchdog = CollectiveWatchdog(rank: rank, size: size, hosts: Self.gatherHosts(size: size), threads: threads)
            Self.sharedWatchdog = watchdog
            if !threads && size > 1 && rank == 0 {
                FileHandle.standardError.writeMessage("vrnn: note: this MPI gives no MPI_THREAD_MULTIPLE, so a rank that is busy outside "
                                                      + "a collective for longer than --collective-timeout is taken for lost\n")
            }
        }
        watchdog.seconds = timeout
    }

    /// The process's watchdog, made with its first instance (MPI is initialised once per process).
    nonisolated(unsafe) private static var sharedWatchdog: CollectiveWatchdog?

    /// Every rank's host name, in rank order (the last blocking collective: the watchdog needs them).
    private static func gatherHosts(size: Int) -> [String] {
        let width = Int(MPI_MAX_PROCESSOR_NAME)
        var name = [CChar](repeating: 0, count: width)
        var length: Int32 = 0
        MPI_Get_processor_name(&name, &length)
        guard size > 1 else { return [text(name[...])] }
        var all = [CChar](repeating: 0, count: width * size)
        MPI_Allgather(&name, Int32(width), cmpi_byte(), &all, Int32(width), cmpi_byte(), cmpi_comm_world())
        return (0..<size).map { text(all[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// A NUL-terminated C string in a fixed-width field.
    private static func text(_ field: ArraySlice<CChar>) -> String {
        String(decoding: field.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sums the buffer over ranks in place: by the ring (RingAllreduce) from 64 KB per rank, the
    /// gradient's case, where bandwidth decides; below that by MPI's latency-bound algorithm. The
    /// choice depends on the size and the rank count only, so a given run always sums alike.
    public func allreduceSum(_ buffer: FloatBuffer) {
        guard size > 1 else { return }
        if buffer.count >= 16_384 * size {
            let ring = RingAllreduce(rank: rank, size: size)
            let largest = ring.start(1, count: buffer.count) + 1
            if ringScratch.count < largest { ringScratch = FloatBuffer(count: largest) }
            watched { ring.sum(buffer.pointer, count: buffer.count, scratch: ringScratch.pointer) { complete(&$0, patient: false) } }
            return
        }
        allreduce(buffer.pointer, count: buffer.count, type: cmpi_float(), op: cmpi_sum())
    }

    public func allreduceSum(_ values: [Double]) -> [Double] {
        var result = values
        result.withUnsafeMutableBufferPointer { allreduce($0.baseAddress!, count: values.count, type: cmpi_double(), op: cmpi_sum()) }
        return result
    }

    /// One MPI_MAX over [-values, values]: min(x) = -max(-x) exactly (negation is exact), so a
    /// step's flags and checks cost one collective, not two.
    public func allreduceMinMax(_ values: [Double]) -> (min: [Double], max: [Double]) {
        let n = values.count
        var both = values.map { -$0 } + values
        both.withUnsafeMutableBufferPointer { allreduce($0.baseAddress!, count: 2 * n, type: cmpi_double(), op: cmpi_max()) }
        return (both[..<n].map { -$0 }, Array(both[n...]))
    }

    /// In-place MPI_Iallreduce, polled to completion under the watchdog.
    private func allreduce(_ buffer: UnsafeMutableRawPointer, count: Int, type: MPI_Datatype?, op: MPI_Op?) {
        guard count > 0 else { return }
        var request: MPI_Request?
        MPI_Iallreduce(cmpi_in_place(), buffer, Int32(count), type, op, cmpi_comm_world(), &request)
        var requests = [request]
        var width: Int32 = 0
        MPI_Type_size(type, &width)
        // A few values (a step's sums and flags, a barrier) fit in one fragment: they may wait patiently.
        watched { complete(&requests, patient: count * Int(width) <= 4096) }
    }

    /// One collective under the watchdog: its clock starts, and it is marked done.
    private func watched(_ collective: () -> Void) {
        watchdog.begin()
        collective()
        watchdog.end()
    }

    /// Polls the requests to completion, with a check (a few probes and the clock) every 1024
    /// polls, about every millisecond. A `patient` wait, for a collective of a few values (one
    /// message fragment), sleeps 100 µs between polls once it has waited 10 ms: a rank that waits long
    /// (for rank 0 writing a checkpoint, or alone in `vrnn bench`) then leaves its core idle
    /// instead of spinning on it. A large transfer progresses only while polled, fragment by
    /// fragment, so the ring's waits always spin.
    private func complete(_ requests: inout [MPI_Request?], patient: Bool) {
        var done: Int32 = 0
        var polls = 0
        let start = CollectiveWatchdog.now()
        var sleeping = false
        while true {
            MPI_Testall(Int32(requests.count), &requests, &done, nil)
            if done != 0 { return }
            if sleeping {
                usleep(100)
                watchdog.check()
            } else if polls & 1023 == 0 {
                watchdog.check()
                sleeping = patient && CollectiveWatchdog.now() - start > 0.01
            }
            polls += 1
        }
    }

    public func finalize() {
        watchdog.stop()
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }
}
