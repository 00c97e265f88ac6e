import Foundation

/// A fixed-size, zero-initialised buffer of Float owned by a class, so that kernels can take raw
/// pointers into it without the copy-on-write and closure nesting of `[Float]`.
/// Workspaces allocate these once per run; nothing in a time loop allocates.
public final class FloatBuffer {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// Where a huge-page buffer's memory begins (nil for the others), for freeing it.
    private let base: UnsafeMutableRawPointer?

    public init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        self.count = count
        (pointer, base) = Self.allocate(count)
        pointer.initialize(repeating: 0, count: max(count, 1))
        Self.account(count)
    }

    /// Buffers of a huge page or more are asked for huge pages (Linux's transparent huge pages;
    /// where the system gives them only on request, `madvise`): a window's buffers are streamed
    /// pass after pass, and one TLB entry then covers 2 MB instead of 4 KB, which counts most in
    /// a virtual machine, whose TLB misses walk two page tables. Huge pages make physical address
    /// bits 12-20 those of the virtual address, so buffers that all began on a huge page would all
    /// begin in the same L2 cache set, and the products that read and write them at the same
    /// offsets would evict one another (large ran 6-11 % slower so). Each begins 8,256 bytes
    /// (two pages and a cache line) after the one before, modulo 128 KB, the span of this L2's
    /// sets. (seed-char 3 % faster a step, large unchanged: two trainers alternating in one process.)
    static let hugePage = 2 << 20
    nonisolated(unsafe) private static var hugeBuffers = 0

    private static func allocate(_ count: Int) -> (UnsafeMutablePointer<Float>, base: UnsafeMutableRawPointer?) {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        #if os(Linux)
        if bytes >= hugePage {
            let offset: Int = locked {
                defer { hugeBuffers += 1 }
                return hugeBuffers * 8256 % (128 << 10)
            }
            var memory: UnsafeMutableRawPointer?
            guard posix_memalign(&memory, hugePage, offset + bytes) == 0, let memory else { fatalError("out of memory for \(bytes) bytes") }
            // Only the whole huge pages: a last one partly used would be backed whole (up to 2 MB
            // more than the buffer), so the tail stays on small pages. A hint: without huge pages
            // it is plain memory.
            _ = madvise(memory, (offset + bytes) / hugePage * hugePage, MADV_HUGEPAGE)
            return ((memory + offset).bindMemory(to: Float.self, capacity: max(count, 1)), memory)
        }
        #endif
        return (UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1)), nil)
    }

    /// Floats held by all live buffers: what memory estimates (`bytesNeeded`) are checked against.
    public static var liveFloats: Int { locked { live } }
    nonisolated(unsafe) private static var live = 0
    private static let lock = NSLock()
    private static func account(_ change: Int) { locked { live += change } }
    private static func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        if let base { free(base) } else { pointer.deallocate() }
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
