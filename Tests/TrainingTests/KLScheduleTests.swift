import Foundation
import Training
import VRNN
import XCTest

final class KLScheduleTests: XCTestCase {
    func testLinearWarmUpReachesBetaAndStays() {
        var schedule = KLSchedule()
        schedule.beta = 0.5
        schedule.warmupSteps = 4
        schedule.freeNats = 0.25
        let weights = (0..<6).map { schedule.term(step: $0, base: schedule.beta).weight }
        XCTAssertEqual(weights, [0.125, 0.25, 0.375, 0.5, 0.5, 0.5])
        XCTAssertEqual(schedule.term(step: 0, base: 1).freeNats, 0.25)
        XCTAssertEqual(KLSchedule().term(step: 0, base: 1), .plain)
    }

    /// With KL / reconstruction fixed at 0.5 and target 0.1, w must settle at 0.2 from either side;
    /// a fixed weight never moves.
    func testAdaptiveWeightApproachesTheTargetRatio() {
        var schedule = KLSchedule()
        XCTAssertEqual(schedule.adapted(base: 0.7, weight: 0.7, kl: 1, reconstruction: 2), 0.7)
        schedule.adaptiveTarget = 0.1
        schedule.adaptiveRate = 0.1
        for start: Float in [1, 0.01] {
            var w = start
            for _ in 0..<300 { w = schedule.adapted(base: w, weight: w, kl: 1, reconstruction: 2) }
            XCTAssertEqual(w, 0.2, accuracy: 1e-3, "from \(start)")
        }
        // A negative reconstruction (continuous densities) leaves the ratio undefined: w holds.
        XCTAssertEqual(schedule.adapted(base: 0.5, weight: 0.5, kl: 1, reconstruction: -2), 0.5)
        // The weight stays in its range however extreme the ratio.
        XCTAssertEqual(schedule.adapted(base: 1e-4, weight: 1e-4, kl: 1e9, reconstruction: 1e-9), KLSchedule.adaptiveRange.lowerBound)
    }

    /// Configurations written before the KL schedule existed still read.
    func testOldConfigurationReadsWithTheDefaultSchedule() throws {
        let old = #"{"globalBatch":8,"window":16,"steps":10,"seed":3,"clip":5,"adam":{"learningRate":0.003,"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"weightDecay":0}}"#
        let config = try JSONDecoder().decode(TrainingConfig.self, from: Data(old.utf8))
        XCTAssertEqual(config.kl, KLSchedule())
        XCTAssertEqual(config.window, 16)
    }
}
