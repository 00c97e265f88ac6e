/// How G global streams read a dataset of sequences (ARCHITECTURE §3). Each stream reads a tape of
/// row ranges back to back, one window of T rows at a time, and a reset flag marks every row that
/// starts a range (the carried state is zeroed there):
/// - a single sequence (text) is cut into G equal parts, part g being stream g's tape;
/// - several sequences are dealt to streams in order, each to the stream with the shortest tape
///   so far (ties to the lowest index), so tapes stay balanced and the assignment is deterministic.
/// A window that would run past the end of its tape starts the tape again and counts an epoch.
/// Cursors and epochs are kept for all G streams, so the state does not depend on the ranks.
public struct SequenceStreams: Sendable {
    public let globalStreams: Int
    public let window: Int
    /// Per stream: the row ranges of its tape and the tape position where each range starts.
    let ranges: [[Range<Int>]]
    let starts: [[Int]]
    public let tapeLengths: [Int]
    public var cursors: [Int]
    public var epochs: [Int]

    public enum StreamError: Error, CustomStringConvertible {
        case tooShort(stream: Int, length: Int, streams: Int, window: Int)
        public var description: String {
            switch self {
            case let .tooShort(stream, length, streams, window):
                return "stream \(stream) of \(streams) gets only \(length) rows of data, fewer than one window of \(window); "
                    + "use a smaller --global-batch or --window, or more data"
            }
        }
    }

    /// `offsets` are sequence boundaries in rows ([S+1], first 0).
    public init(offsets: [Int], globalStreams: Int, window: Int) throws {
        precondition(globalStreams >= 1 && window >= 1 && offsets.count >= 2)
        var ranges = [[Range<Int>]](repeating: [], count: globalStreams)
        if offsets.count == 2 {
            let part = (offsets[1] - offsets[0]) / globalStreams
            for g in 0..<globalStreams { ranges[g] = [offsets[0] + g * part..<offsets[0] + (g + 1) * part] }
        } else {
            var lengths = [Int](repeating: 0, count: globalStreams)
            for s in 0..<offsets.count - 1 where offsets[s + 1] > offsets[s] {
                let g = lengths.indices.min { lengths[$0] < lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }!
                ranges[g].append(offsets[s]..<offsets[s + 1])
                lengths[g] += offsets[s + 1] - offsets[s]
            }
        }
        self.ranges = ranges
        var starts: [[Int]] = [], lengths: [Int] = []
        for tape in ranges {
            var total = 0
            starts.append(tape.map { range in defer { total += range.count }; return total })
            lengths.append(total)
        }
        self.starts = starts
        tapeLengths = lengths
        for (g, length) in tapeLengths.enumerated() where length < window {
            throw StreamError.tooShort(stream: g, length: length, streams: globalStreams, window: window)
        }
        self.globalStreams = globalStreams
        self.window = window
        cursors = Array(repeating: 0, count: globalStreams)
        epochs = Array(repeating: 0, count: globalStreams)
    }

    /// The next window of streams [firstStream, firstStream + batch): `rows[t * batch + b]` is the
    /// data row stream b reads at step t, and `reset` marks rows that start a sequence or a part.
    public mutating func nextWindow(firstStream: Int, batch: Int, rows: inout [Int], reset: inout [UInt8]) {
        precondition(firstStream + batch <= globalStreams && rows.count == batch * window && reset.count == rows.count)
        for b in 0..<batch {
            let g = firstStream + b
            if cursors[g] + window > tapeLengths[g] {
                cursors[g] = 0
                epochs[g] += 1
            }
            // The range holding the cursor: the last one starting at or before it.
            var r = Self.lastIndex(in: starts[g], atMost: cursors[g])
            for t in 0..<window {
                let position = cursors[g] + t
                while r + 1 < starts[g].count && starts[g][r + 1] <= position { r += 1 }
                let offset = position - starts[g][r]
                rows[t * batch + b] = ranges[g][r].lowerBound + offset
                reset[t * batch + b] = offset == 0 ? 1 : 0
            }
            cursors[g] += window
        }
    }

    static func lastIndex(in sorted: [Int], atMost value: Int) -> Int {
        var low = 0, high = sorted.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if sorted[mid] <= value { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
