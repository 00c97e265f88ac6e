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

    /// Writes a small file atomically.
    public static func write(_ data: Data, to path: String) throws {
        let temporary = temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw HDF5Error("\(path): cannot write (permissions or disk space?)")
        }
        try moveIntoPlace(temporary, to: path)
    }
}
