import Foundation
import Storage

/// A run's folder: config.json, metrics.csv, losses.svg, lock, checkpoint-<step>.h5 files, `latest`, a one-line
/// text file naming the newest complete checkpoint, and `best`, naming the one with the lowest
/// validation loss. A checkpoint is named only after it is in place and synced, so a crash at
/// any moment leaves both naming loadable files; pruning never deletes the one `best` names.
public struct RunFolder {
    public let path: String

    var configPath: String { path + "/config.json" }
    var metricsPath: String { path + "/metrics.csv" }
    var lossesPath: String { path + "/losses.svg" }
    var latestPath: String { path + "/latest" }
    var bestPath: String { path + "/best" }
    /// Names the job that holds the folder (RunLock).
    var lockPath: String { path + "/lock" }

    func checkpointPath(step: Int) -> String { path + "/" + String(format: "checkpoint-%08d.h5", step) }

    /// The checkpoint `latest` names.
    func latestCheckpoint() throws -> String {
        try named(by: latestPath, missing: "no checkpoint yet (no `latest` file); the run stopped before its first checkpoint")
    }

    /// The checkpoint `best` names.
    func bestCheckpoint() throws -> String {
        try named(by: bestPath, missing: "no best checkpoint (no `best` file): the run has no validation split or has not validated yet; "
                  + "use \(path) for its latest checkpoint")
    }

    private func named(by pointer: String, missing: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such run folder") }
        guard let text = try? String(contentsOfFile: pointer, encoding: .utf8) else { throw UserError("\(path): \(missing)") }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, !name.contains("/") else { throw UserError("\(pointer): does not name a checkpoint file") }
        return path + "/" + name
    }

    /// `--checkpoint PATH`: a checkpoint file, a run folder meaning its latest checkpoint, or
    /// `FOLDER:best` (its best) or `FOLDER:latest`. A file or folder whose name has such a
    /// suffix is taken as it is.
    static func resolveCheckpoint(_ argument: String) throws -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder) {
            return isFolder.boolValue ? try RunFolder(path: argument).latestCheckpoint() : argument
        }
        if namesAPointer(argument) {
            let best = argument.hasSuffix(":best"), run = RunFolder(path: String(argument[..<argument.lastIndex(of: ":")!]))
            return try best ? run.bestCheckpoint() : run.latestCheckpoint()
        }
        throw UserError("\(argument): no such checkpoint file or run folder (a run folder may be followed by :best or :latest)")
    }

    /// Whether `argument` ends in :best or :latest, naming one of a run folder's pointers.
    static func namesAPointer(_ argument: String) -> Bool { argument.hasSuffix(":best") || argument.hasSuffix(":latest") }

    /// Points `best` (when `checkpoint` is the run's new best) and then `latest` at `checkpoint`, a
    /// file in this folder, atomically; then deletes all but the newest `keep` checkpoints, the one
    /// `best` names and the one of the run's best step (`bestStep`, from the checkpoint's record:
    /// after a crash between the two pointer writes, the record is what a resume trusts).
    func publish(_ checkpoint: String, keep: Int, best: Bool, bestStep: Int?) throws {
        let name = (checkpoint as NSString).lastPathComponent
        if best { try AtomicFile.write(Data((name + "\n").utf8), to: bestPath) }
        try AtomicFile.write(Data((name + "\n").utf8), to: latestPath)
        var kept = Set(bestStep.map { [(checkpointPath(step: $0) as NSString).lastPathComponent] } ?? [])
        if let named = try? bestCheckpoint() { kept.insert((named as NSString).lastPathComponent) }
        for file in checkpoints().dropLast(keep) where !kept.contains(file) { try? FileManager.default.removeItem(atPath: path + "/" + file) }
    }

    /// Points `best` at the checkpoint of `step` when that file exists (a resume re-asserts the
    /// record it restored, in case a crash came between the pointer writes).
    func pointBest(atStep step: Int) throws {
        let file = checkpointPath(step: step)
        guard FileManager.default.fileExists(atPath: file) else { return }
        try AtomicFile.write(Data(((file as NSString).lastPathComponent + "\n").utf8), to: bestPath)
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
