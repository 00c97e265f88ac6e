/// How G global streams read a dataset of sequences (ARCHITECTURE §3). The sequences, back to
/// back, are cut into G equal parts (any rows left over at the end are not read); part g is
/// stream g's tape: the row ranges of the sequences (or pieces of them) it covers, read one
/// window of T rows at a time. A reset flag marks every row that starts a range (a sequence, or
/// the part), where the carried state is zeroed. So one long recording feeds as many streams as
/// its length allows, like text, and G is limited by the data's total length, not by its number
/// of sequences. A window that would run past the end of its tape starts the tape again and
/// counts an epoch. Cursors and epochs are kept for all G streams, so the state does not depend
/// on the ranks.
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
        case tooShort(rows: Int, streams: Int, window: Int, ranks: Int)
        public var description: String {
            switch self {
            case let .tooShort(rows, streams, window, ranks):
                // The largest G the data allows that the ranks can share.
                let allowed = rows / window / ranks * ranks
                return "\(streams) streams of at least one window of \(window) rows need \(streams * window) rows, but the data has \(rows); "
                    + (allowed > 0 ? "the data's length allows --global-batch \(allowed) at this --window\(ranks > 1 ? " on \(ranks) ranks" : "") (or use a smaller --window, or more data)"
                                   : "use a smaller --window, or more data")
            }
        }
    }

    /// `offsets` are sequence boundaries in rows ([S+1], first 0); `ranks` (that share the
    /// streams) only shapes the advice when the data is too short.
    public init(offsets: [Int], globalStreams: Int, window: Int, ranks: Int = 1) throws {
        precondition(globalStreams >= 1 && window >= 1 && offsets.count >= 2)
        let first = offsets[0], total = offsets.last! - first, part = total / globalStreams
        guard part >= window else { throw StreamError.tooShort(rows: total, streams: globalStreams, window: window, ranks: ranks) }
        var ranges = [[Range<Int>]](repeating: [], count: globalStreams)
        var s = 0
        for g in 0..<globalStreams {
            let tape = first + g * part..<first + (g + 1) * part
            // The sequences overlapping this part, clipped to it (s never moves back: parts ascend).
            while offsets[s + 1] <= tape.lowerBound { s += 1 }
            var t = s
            while t < offsets.count - 1 && offsets[t] < tape.upperBound {
                let clipped = max(offsets[t], tape.lowerBound)..<min(offsets[t + 1], tape.upperBound)
                if !clipped.isEmpty { ranges[g].append(clipped) }
                t += 1
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
