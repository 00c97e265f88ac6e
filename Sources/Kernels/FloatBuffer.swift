import Foundation

/// A fixed-size, zero-initialised buffer of Float owned by a class, so that kernels can take raw
/// pointers into it without the copy-on-write and closure nesting of `[Float]`.
/// Workspaces allocate these once per run; nothing in a time loop allocates.
public final class FloatBuffer {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        self.count = count
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        Self.account(count)
    }

    /// Floats held by all live buffers: what memory estimates (`bytesNeeded`) are checked against.
    public static var liveFloats: Int { lock.lock(); defer { lock.unlock() }; return live }
    nonisolated(unsafe) private static var live = 0
    private static let lock = NSLock()
    private static func account(_ change: Int) { lock.lock(); live += change; lock.unlock() }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        pointer.deallocate()
        Self.account(-count)
    }

    public subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    public func zero() { pointer.update(repeating: 0, count: count) }

    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "buffer size mismatch: \(other.count) vs \(count)")
        pointer.update(from: other.pointer, count: count)
    }

    public func copy(from values: [Float]) {
        precondition(values.count == count, "buffer size mismatch: \(values.count) vs \(count)")
        values.withUnsafeBufferPointer { if count > 0 { pointer.update(from: $0.baseAddress!, count: count) } }
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
