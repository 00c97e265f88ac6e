import CMPI

/// The sum over ranks of a large float buffer, in place, by the ring algorithm: N-1 steps of
/// reduce-scatter, then N-1 of allgather, each sending one N-th of the buffer to the next rank
/// and receiving one from the previous. Each rank sends and receives 2(N-1)/N of the buffer, the
/// least any allreduce can. (Open MPI's nonblocking in-place allreduce reduces to one rank and
/// broadcasts back: 2 log2(N) times the buffer through the busiest link, measured as twice the
/// ring's time on 2 ranks over TCP.) Chunk c is summed in the order c, c+1, ..., c+N-1 and then
/// copied, so every rank ends with the same bits, and a given N always sums alike.
///
/// `wait` polls the step's requests to completion (under the collective watchdog).
struct RingAllreduce {
    static let tag: Int32 = 0x7670
    let rank: Int
    let size: Int

    /// Elements [start(c), start(c + 1)) are chunk c.
    func start(_ chunk: Int, count: Int) -> Int { chunk * count / size }

    func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int, scratch: UnsafeMutablePointer<Float>,
             wait: (inout [MPI_Request?]) -> Void) {
        let next = Int32((rank + 1) % size), previous = Int32((rank + size - 1) % size)
        func chunk(_ c: Int) -> (start: Int, count: Int) {
            let c = ((c % size) + size) % size
            return (start(c, count: count), start(c + 1, count: count) - start(c, count: count))
        }
        // Sends chunk `out` of the buffer to the next rank while chunk `into` arrives from the previous one at `destination`.
        func exchange(send out: (start: Int, count: Int), receive into: (start: Int, count: Int), at destination: UnsafeMutablePointer<Float>) {
            var requests: [MPI_Request?] = [nil, nil]
            MPI_Irecv(destination, Int32(into.count), cmpi_float(), previous, Self.tag, cmpi_comm_world(), &requests[0])
            MPI_Isend(buffer + out.start, Int32(out.count), cmpi_float(), next, Self.tag, cmpi_comm_world(), &requests[1])
            wait(&requests)
        }
        // Reduce-scatter: after step s, this rank's chunk rank-s-1 holds the sum of s+2 ranks' parts.
        for s in 0..<(size - 1) {
            let incoming = chunk(rank - s - 1)
            exchange(send: chunk(rank - s), receive: incoming, at: scratch)
            let own = buffer + incoming.start
            for i in 0..<incoming.count { own[i] += scratch[i] }
        }
        // Allgather: chunk rank+1 is complete here; pass the complete chunks round.
        for s in 0..<(size - 1) {
            let incoming = chunk(rank - s)
            exchange(send: chunk(rank + 1 - s), receive: incoming, at: buffer + incoming.start)
        }
    }
}
