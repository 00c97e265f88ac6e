import Foundation

/// Where a command may write a file, checked before any work:
/// - never over one of the command's own inputs: the same file by device and inode, whatever
///   the two paths look like (links, `./x` and `x`), even with --force;
/// - never over a run's own files (in a folder holding config.json: config.json, metrics.csv,
///   latest, lock, losses.svg and checkpoints), but for the one the command owns there (`plot`
///   redraws losses.svg);
/// - over another existing file only with --force, and only into a folder that exists.
public enum OutputGuard {
    /// The names of a run folder's own files (RunFolder).
    static func isRunFile(_ name: String) -> Bool {
        ["config.json", "metrics.csv", "latest", "lock", "losses.svg"].contains(name)
            || (name.hasPrefix("checkpoint-") && name.hasSuffix(".h5"))
    }

    public static func check(_ output: String, inputs: [String], force: Bool, runFileAllowed: String? = nil) throws {
        let url = URL(fileURLWithPath: output)
        let folder = url.deletingLastPathComponent().path, name = url.lastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw UserError("cannot write \(output): the folder \(folder) does not exist; create it or choose another path")
        }
        if let written = identity(output) {
            for input in inputs where identity(input).map({ $0 == written }) ?? false {
                throw UserError("\(output) is the command's own input (\(input)); write the output to another path")
            }
        }
        if isRunFile(name) && name != runFileAllowed && FileManager.default.fileExists(atPath: folder + "/config.json") {
            throw UserError("\(output) is one of the files of the run in \(folder); write the output outside the run's own files")
        }
        if !force && FileManager.default.fileExists(atPath: output) {
            throw UserError("\(output) already exists; pass --force to replace it")
        }
    }

    /// (device, inode) of an existing file.
    private static func identity(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }
}
