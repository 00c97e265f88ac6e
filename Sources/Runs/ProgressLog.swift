import Foundation
import Training

/// Progress lines with throughput and ETA, printed every K steps (and for the last step).
final class ProgressLog {
    let total: Int
    /// The step the run (or its resumption) started from: rates and ETA count from here.
    let firstStep: Int
    let tokensPerStep: Int
    let every: Int?
    /// Text reports bits per character and char-steps/s; real-valued data nats per step and frame-steps/s.
    let text: Bool
    let start = Date()

    init(total: Int, firstStep: Int = 0, tokensPerStep: Int, every: Int?, text: Bool) {
        self.total = total; self.firstStep = firstStep; self.tokensPerStep = tokensPerStep; self.every = every; self.text = text
    }

    /// "2.3456 nats (3.384 bits/char)" for text, "2.3456 nats" otherwise.
    func nats(_ x: Double) -> String {
        text ? String(format: "%.4f nats (%.3f bits/char)", x, x / log(2)) : String(format: "%.4f nats", x)
    }

    var unit: String { text ? "char-steps/s" : "frame-steps/s" }

    /// A line of its own (a checkpoint written, a note), shown at once like the progress lines.
    func line(_ text: String) {
        guard every != nil else { return }
        print(text)
        fflush(nil)
    }

    /// Character-steps per second since the start.
    func rate(at step: Int) -> Double { Double((step - firstStep) * tokensPerStep) / max(Date().timeIntervalSince(start), 1e-9) }

    func report(_ m: StepMetrics) {
        if every != nil, let valid = m.validLoss {
            print("step \(m.step)/\(total)  validation loss \(nats(valid))")
        }
        guard let every, m.step % every == 0 || m.step == total else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = rate(at: m.step)
        let eta = elapsed / Double(max(m.step - firstStep, 1)) * Double(total - m.step)
        print("step \(m.step)/\(total)  loss \(nats(m.loss))  "
              + String(format: "recon %.4f  kl %.4f  ", m.reconstruction, m.kl)
              + (m.klWeight == 1 ? "" : String(format: "w %.3g  ", Double(m.klWeight)))
              + String(format: "|g| %.3f  lr %.2e  ", m.gradientNorm, Double(m.learningRate))
              + "\(Self.compact(rate)) \(unit)  ETA \(Self.duration(eta))")
        fflush(nil)  // flush every stream: progress must show up promptly under mpirun
    }

    func summary(_ m: StepMetrics) -> String {
        let elapsed = Date().timeIntervalSince(start)
        return "vrnn: done: \(m.step - firstStep) steps in \(Self.duration(elapsed)), final loss \(nats(m.loss)) per step, "
            + "\(Self.compact(rate(at: m.step))) \(unit)"
    }

    static func compact(_ x: Double) -> String {
        x >= 1e6 ? String(format: "%.2fM", x / 1e6) : x >= 1e3 ? String(format: "%.1fk", x / 1e3) : String(format: "%.0f", x)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
