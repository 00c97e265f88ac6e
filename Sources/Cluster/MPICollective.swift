import CMPI
import Kernels
import Training

/// The Collective over MPI_COMM_WORLD. Initialises MPI once per process (a test process may create
/// several instances); works under mpirun and as a singleton without it.
public final class MPICollective: Collective {
    public let rank: Int
    public let size: Int

    public init() {
        var initialised: Int32 = 0
        MPI_Initialized(&initialised)
        if initialised == 0 {
            var provided: Int32 = 0
            MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    /// Sums the buffer over ranks in place, in chunks that fit MPI's Int32 counts.
    public func allreduceSum(_ buffer: FloatBuffer) {
        let chunk = Int(Int32.max)
        var offset = 0
        while offset < buffer.count {
            let n = min(chunk, buffer.count - offset)
            MPI_Allreduce(cmpi_in_place(), buffer.pointer + offset, Int32(n), cmpi_float(), cmpi_sum(), cmpi_comm_world())
            offset += n
        }
    }

    public func allreduceSum(_ values: [Double]) -> [Double] {
        var result = values
        MPI_Allreduce(cmpi_in_place(), &result, Int32(values.count), cmpi_double(), cmpi_sum(), cmpi_comm_world())
        return result
    }

    /// One MPI_MAX over [-values, values]: min(x) = -max(-x) exactly (negation is exact), so a
    /// step's flags and checks cost one collective, not two.
    public func allreduceMinMax(_ values: [Double]) -> (min: [Double], max: [Double]) {
        let n = values.count
        var both = values.map { -$0 } + values
        MPI_Allreduce(cmpi_in_place(), &both, Int32(2 * n), cmpi_double(), cmpi_max(), cmpi_comm_world())
        return (both[..<n].map { -$0 }, Array(both[n...]))
    }

    /// Ends the whole job with a non-zero code: no rank is left waiting in a collective.
    public func abort(code: Int32) -> Never {
        MPI_Abort(cmpi_comm_world(), code)
        fatalError("MPI_Abort returned")
    }

    public func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }
}
