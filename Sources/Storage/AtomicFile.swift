import Foundation

/// Files appear complete or not at all: written under a temporary name beside the target,
/// fsynced, renamed into place, and the folder fsynced so the rename survives a power cut.
public enum AtomicFile {
    /// The temporary name a writer uses (the pid tells which process left an abandoned one).
    public static func temporaryPath(for path: String) -> String { path + ".tmp-\(getpid())" }

    /// Whether a file name is such a temporary.
    public static func isTemporary(_ name: String) -> Bool { name.contains(".tmp-") }

    /// fsync `temporary`, rename it to `path`, fsync the folder.
    public static func moveIntoPlace(_ temporary: String, to path: String) throws {
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw HDF5Error("\(path): cannot move the finished file into place: \(reason)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let dfd = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Writes a file atomically: `beforeRename` runs when every byte is in the synced temporary
    /// file but it is not yet in place (tests kill the writer there). A failed write (a full
    /// disk, permissions) removes the temporary file and names the reason.
    public static func write(_ data: Data, to path: String, beforeRename: (() -> Void)? = nil) throws {
        try write(to: path, beforeRename: beforeRename) { writeAll($0, data) }
    }

    /// The same for contents produced a piece at a time: `contents` writes to the descriptor
    /// and returns nil, or the reason it failed.
    public static func write(to path: String, beforeRename: (() -> Void)? = nil, contents: (Int32) throws -> String?) throws {
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HDF5Error("cannot write \(path): \(String(cString: strerror(errno)))") }
        var failure: String?
        do { failure = try contents(fd) } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw HDF5Error("cannot write \(path): \(failure)")
        }
        beforeRename?()
        try moveIntoPlace(temporary, to: path)
    }

    /// Writes all of `data` to `fd`; nil, or the system's reason for failing (e.g. "No space left
    /// on device").
    public static func writeAll(_ fd: Int32, _ data: Data) -> String? {
        data.withUnsafeBytes { bytes -> String? in
            var done = 0
            while done < bytes.count {
                let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                done += n
            }
            return nil
        }
    }
}
