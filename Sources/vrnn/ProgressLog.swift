import Foundation
import Training

/// Progress lines with throughput and ETA, printed every K steps (and for the last step).
final class ProgressLog {
    let total: Int
    let tokensPerStep: Int
    let every: Int?
    let start = Date()

    init(total: Int, tokensPerStep: Int, every: Int?) {
        self.total = total; self.tokensPerStep = tokensPerStep; self.every = every
    }

    func line(_ text: String) { if every != nil { print(text) } }

    /// Character-steps per second since the start.
    func rate(at step: Int) -> Double { Double(step * tokensPerStep) / max(Date().timeIntervalSince(start), 1e-9) }

    func report(_ m: StepMetrics) {
        if let every, let valid = m.validLoss {
            print(String(format: "step %d/%d  validation loss %.4f nats (%.3f bits/char)", m.step, total, valid, valid / log(2)))
        }
        guard let every, m.step % every == 0 || m.step == total else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = rate(at: m.step)
        let eta = elapsed / Double(m.step) * Double(total - m.step)
        print(String(format: "step %d/%d  loss %.4f nats (%.3f bits/char)  recon %.4f  kl %.4f  |g| %.3f  lr %.2e  %@ char-steps/s  ETA %@",
                     m.step, total, m.loss, m.loss / log(2), m.reconstruction, m.kl, m.gradientNorm, Double(m.learningRate),
                     Self.compact(rate), Self.duration(eta)))
        fflush(nil)  // flush every stream: progress must show up promptly under mpirun
    }

    func summary(_ m: StepMetrics) -> String {
        let elapsed = Date().timeIntervalSince(start)
        return String(format: "vrnn: done: %d steps in %@, final loss %.4f nats/char (%.3f bits/char), %@ char-steps/s",
                      m.step, Self.duration(elapsed), m.loss, m.loss / log(2),
                      Self.compact(Double(m.step * tokensPerStep) / max(elapsed, 1e-9)))
    }

    static func compact(_ x: Double) -> String {
        x >= 1e6 ? String(format: "%.2fM", x / 1e6) : x >= 1e3 ? String(format: "%.1fk", x / 1e3) : String(format: "%.0f", x)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
