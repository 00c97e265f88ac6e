import Foundation

/// The run folder's lock: an advisory `flock` on RUN/lock, held by rank 0 from before the folder
/// is read or written until the run ends, so a second job on the same folder (fresh or resumed)
/// is refused instead of racing for config.json or deleting the live job's temporary files. The
/// file names the holder ("host pid"); the lock itself dies with its process, so a file left by a
/// killed job names a holder that is gone, and the next job takes it over.
final class RunLock {
    private let descriptor: Int32
    /// "host pid" of a job that ended without releasing the file (killed), when this one took over.
    let takenOverFrom: String?

    init(_ folder: RunFolder) throws {
        let path = folder.lockPath
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw UserError("\(path): cannot open the run's lock file (\(String(cString: strerror(errno))))") }
        let holder = Self.holder(fd)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK {
                throw UserError("\(folder.path) is in use by vrnn on \(holder.map(Self.describe) ?? "another process"); "
                                + "wait for that job to end (or stop it) before training in this folder")
            }
            throw UserError("\(path): cannot lock the run folder (\(String(cString: strerror(reason))))")
        }
        takenOverFrom = holder
        let me = "\(ProcessInfo.processInfo.hostName) \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    /// The run ended: the file is emptied (no holder) and the lock released.
    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }

    /// The "host pid" the file holds, if any.
    private static func holder(_ fd: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = pread(fd, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// "host pid" as "host (pid N)".
    static func describe(_ holder: String) -> String {
        let parts = holder.split(separator: " ")
        return parts.count == 2 ? "\(parts[0]) (pid \(parts[1]))" : holder
    }
}
