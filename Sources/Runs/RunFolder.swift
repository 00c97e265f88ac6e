import Foundation
import Storage

/// A run's folder: config.json, metrics.csv, losses.svg, lock, checkpoint-<step>.h5 files and `latest`, a one-line
/// text file naming the newest complete checkpoint. A checkpoint becomes `latest` only after it is
/// in place and synced, so a crash at any moment leaves `latest` naming a loadable file.
public struct RunFolder {
    public let path: String

    var configPath: String { path + "/config.json" }
    var metricsPath: String { path + "/metrics.csv" }
    var lossesPath: String { path + "/losses.svg" }
    var latestPath: String { path + "/latest" }
    /// Names the job that holds the folder (RunLock).
    var lockPath: String { path + "/lock" }

    func checkpointPath(step: Int) -> String { path + "/" + String(format: "checkpoint-%08d.h5", step) }

    /// The checkpoint `latest` names.
    func latestCheckpoint() throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such run folder") }
        guard let text = try? String(contentsOfFile: latestPath, encoding: .utf8) else {
            throw UserError("\(path): no checkpoint yet (no `latest` file); the run stopped before its first checkpoint")
        }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, !name.contains("/") else { throw UserError("\(latestPath): does not name a checkpoint file") }
        return path + "/" + name
    }

    /// `--checkpoint PATH`: a checkpoint file, or a run folder meaning its latest checkpoint.
    static func resolveCheckpoint(_ argument: String) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder) else {
            throw UserError("\(argument): no such checkpoint file or run folder")
        }
        return isFolder.boolValue ? try RunFolder(path: argument).latestCheckpoint() : argument
    }

    /// Points `latest` at `checkpoint` (a file in this folder) atomically, then deletes all but
    /// the newest `keep` checkpoints.
    func publish(_ checkpoint: String, keep: Int) throws {
        try AtomicFile.write(Data(((checkpoint as NSString).lastPathComponent + "\n").utf8), to: latestPath)
        let old = checkpoints().dropLast(keep)
        for file in old { try? FileManager.default.removeItem(atPath: path + "/" + file) }
    }

    /// Checkpoint file names, oldest first: ordered by the step in the name as a number (past
    /// step 99,999,999 the names grow a digit and would no longer sort as strings).
    func checkpoints() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let steps = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("checkpoint-"), name.hasSuffix(".h5") else { return nil }
            return Int(name.dropFirst("checkpoint-".count).dropLast(".h5".count)).map { ($0, name) }
        }
        return steps.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Temporary files a killed writer left behind (`NAME.tmp-PID`): never complete, so removed.
    func removeAbandonedTemporaries() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let abandoned = names.filter(AtomicFile.isTemporary)
        for name in abandoned { try? FileManager.default.removeItem(atPath: path + "/" + name) }
        return abandoned
    }
}
