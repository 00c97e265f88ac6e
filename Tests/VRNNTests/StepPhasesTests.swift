import Foundation
import VRNN
import XCTest

final class StepPhasesTests: XCTestCase {
    /// Each phase is charged the time since the previous mark, and the figures are per step.
    func testAPhaseIsChargedTheTimeSinceThePreviousMark() {
        let phases = StepPhases()
        for _ in 0..<2 {
            phases.start()
            usleep(20_000)
            phases.end(.data)
            usleep(10_000)
            phases.end(.losses)
            phases.end(.update)
        }
        let ms = Dictionary(uniqueKeysWithValues: phases.millisecondsPerStep.map { ($0.phase, $0.ms) })
        XCTAssertEqual(phases.steps, 2)
        XCTAssertGreaterThanOrEqual(ms[.data]!, 20)
        XCTAssertGreaterThanOrEqual(ms[.losses]!, 10)
        XCTAssertLessThan(ms[.update]!, 5, "nothing ran between the last two marks")
        XCTAssertEqual(ms[.forwardLoop], 0, "a phase never marked is charged nothing")
        XCTAssertEqual(phases.millisecondsPerStep.map(\.phase), StepPhases.Phase.allCases, "the phases come in step order")
    }
}
