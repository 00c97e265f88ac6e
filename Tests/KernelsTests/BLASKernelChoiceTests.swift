import Kernels
import XCTest

final class BLASKernelChoiceTests: XCTestCase {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
    let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    func testMisdetectedAVX512CPUGetsSkylakeX() {
        XCTAssertEqual(BLASKernelChoice.recommended(detected: "Prescott", cpuFlags: avx512, userSetting: nil), "SkylakeX")
    }

    func testSkylakeXIsNeverForcedWithoutAVX512() {
        XCTAssertEqual(BLASKernelChoice.recommended(detected: "Prescott", cpuFlags: avx2, userSetting: nil), "Haswell")
        XCTAssertNil(BLASKernelChoice.recommended(detected: "Prescott", cpuFlags: ["sse3"], userSetting: nil))
    }

    func testARecognisedCPUAndTheUsersSettingAreLeftAlone() {
        XCTAssertNil(BLASKernelChoice.recommended(detected: "Zen", cpuFlags: avx2, userSetting: nil))
        XCTAssertNil(BLASKernelChoice.recommended(detected: "SkylakeX", cpuFlags: avx512, userSetting: nil))
        XCTAssertNil(BLASKernelChoice.recommended(detected: "Prescott", cpuFlags: avx512, userSetting: "Haswell"))
    }

    func testFlagsAreReadFromCpuinfo() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Test\nflags\t\t: fpu sse3 avx2 fma avx512f\n\nprocessor\t: 1\nflags\t: fpu\n"
        XCTAssertEqual(BLASKernelChoice.cpuFlags(cpuinfo: cpuinfo), ["fpu", "sse3", "avx2", "fma", "avx512f"])
        XCTAssertEqual(BLASKernelChoice.cpuFlags(cpuinfo: ""), [])
    }
}
