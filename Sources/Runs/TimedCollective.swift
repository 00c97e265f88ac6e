import Foundation
import Kernels
import Training

/// A Collective that passes every call on and adds up the seconds spent in them: in `vrnn bench`,
/// what a rank spends in the synchronous step's collectives, its wait for slower ranks included.
/// Two clock reads per call (a step makes three).
final class TimedCollective: Collective {
    let inner: Collective
    /// Seconds spent in calls so far.
    private(set) var seconds = 0.0

    init(_ inner: Collective) { self.inner = inner }

    var rank: Int { inner.rank }
    var size: Int { inner.size }
    var context: CollectiveContext {
        get { inner.context }
        set { inner.context = newValue }
    }

    func allreduceSum(_ buffer: FloatBuffer) { timed { inner.allreduceSum(buffer) } }
    func allreduceSum(_ values: [Double]) -> [Double] { timed { inner.allreduceSum(values) } }
    func allreduceMinMax(_ values: [Double]) -> (min: [Double], max: [Double]) { timed { inner.allreduceMinMax(values) } }

    private func timed<T>(_ call: () -> T) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return call()
    }
}
