import VRNN

/// A token sequence read as G global streams (ARCHITECTURE §3): stream g reads the g-th of G equal
/// parts of the tokens, one window of T consecutive tokens at a time. A window that would run past
/// the end of its part starts the part again with a reset flag (the carried state is zeroed) and
/// counts an epoch for that stream. Cursors and epochs are kept for all G streams, so the state
/// is the same whichever rank holds a stream.
public struct TokenStreams: Sendable {
    public let tokens: [Int32]
    public let globalStreams: Int
    public let window: Int
    public let partLength: Int
    public var cursors: [Int]
    public var epochs: [Int]

    public enum StreamError: Error, CustomStringConvertible {
        case tooShort(tokens: Int, streams: Int, window: Int)
        public var description: String {
            switch self {
            case let .tooShort(tokens, streams, window):
                return "the data has \(tokens) tokens, too few for \(streams) streams of windows of \(window): "
                    + "each stream needs at least \(window + 1); use a smaller --global-batch or --window, or more data"
            }
        }
    }

    public init(tokens: [Int32], globalStreams: Int, window: Int) throws {
        let part = tokens.count / max(globalStreams, 1)
        guard globalStreams >= 1, window >= 1, part > window else {
            throw StreamError.tooShort(tokens: tokens.count, streams: globalStreams, window: window)
        }
        self.tokens = tokens
        self.globalStreams = globalStreams
        self.window = window
        partLength = part
        cursors = Array(repeating: 0, count: globalStreams)
        epochs = Array(repeating: 0, count: globalStreams)
    }

    /// Fills `workspace.tokens` and `workspace.reset` with the next window of streams
    /// [firstStream, firstStream + batch) and advances their cursors.
    public mutating func nextWindow(into workspace: WindowWorkspace, firstStream: Int) {
        let batch = workspace.batch
        precondition(workspace.steps == window && firstStream + batch <= globalStreams)
        for b in 0..<batch {
            let g = firstStream + b
            var restart = cursors[g] == 0
            if cursors[g] + window > partLength {
                cursors[g] = 0
                epochs[g] += 1
                restart = true
            }
            let start = g * partLength + cursors[g]
            for t in 0..<window {
                workspace.tokens[t * batch + b] = tokens[start + t]
                workspace.reset[t * batch + b] = t == 0 && restart ? 1 : 0
            }
            cursors[g] += window
        }
    }
}
