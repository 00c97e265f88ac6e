import Foundation
import Training

/// metrics.csv in the run folder: one row per step, with the validation loss where measured.
final class MetricsFile {
    static let header = "step,loss,reconstruction,kl,grad_norm,lr,char_steps_per_s,valid_loss\n"
    let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(Self.header.utf8)),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw UserError("\(path): cannot create the metrics file")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    func append(_ m: StepMetrics, charactersPerSecond: Double) {
        let valid = m.validLoss.map { String(format: "%.6f", $0) } ?? ""
        let row = String(format: "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.1f,", m.step, m.loss, m.reconstruction, m.kl,
                         m.gradientNorm, Double(m.learningRate), charactersPerSecond) + valid + "\n"
        handle.write(Data(row.utf8))
    }
}
