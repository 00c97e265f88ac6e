import Foundation
import Storage
import XCTest

/// The raw formats `vrnn prepare` reads: CSV (columns, header, missing values), 16-bit PCM WAV
/// and .npy, and the split and normalisation every real-valued dataset gets.
final class RawInputTests: TemporaryFolderTestCase {
    func file(_ name: String, _ bytes: Data) throws -> String {
        let url = folder.appendingPathComponent(name)
        try bytes.write(to: url)
        return url.path
    }

    func testCSVColumnsAndMissingValues() throws {
        let path = try file("a.csv", Data("t,x,y\n0,1,10\n1,,NA\n2,3,14\n3,4,\n".utf8))
        XCTAssertThrowsError(try CSVSequence.read(path, columns: ["x", "y"], missing: .refuse)) { error in
            XCTAssertTrue("\(error)".contains("a.csv:3: missing value in column x"), "\(error)")
        }
        let dropped = try CSVSequence.read(path, columns: ["y", "x"], missing: .drop)
        XCTAssertEqual(dropped.sequence, FrameSequence(values: [10, 1, 14, 3], dim: 2))
        XCTAssertEqual(dropped.dropped, 2)
        let filled = try CSVSequence.read(path, columns: ["x", "2"], missing: .interpolate)
        XCTAssertEqual(filled.sequence.values, [1, 10, 2, 12, 3, 14, 4, 14])  // linear inside, nearest at the end
        XCTAssertEqual(filled.filled, 3)
        XCTAssertEqual(filled.header, ["x", "y"])

        let bare = try file("b.csv", Data("0.5,1\n1.5,2\n".utf8))
        XCTAssertEqual(try CSVSequence.read(bare, columns: nil, missing: .refuse).sequence, FrameSequence(values: [0.5, 1, 1.5, 2], dim: 2))
        for (text, message) in [("x,y\n1,2\n3\n", "b2.csv:3: 1 fields where the file has 2 columns"),
                                ("x,y\n1,abc\n", "\"abc\" in column y is not a finite number"),
                                ("x,y\n", "no data rows after the header")] {
            let bad = try file("b2.csv", Data(text.utf8))
            XCTAssertThrowsError(try CSVSequence.read(bad, columns: nil, missing: .refuse)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
        XCTAssertThrowsError(try CSVSequence.read(path, columns: ["z"], missing: .refuse)) { XCTAssertTrue("\($0)".contains("no column z")) }
    }

    /// A RIFF/WAVE file with a fmt chunk and 16-bit samples, of any channel count (vrnn writes mono only).
    static func wav(samples: [Int16], channels: UInt16 = 1, rate: UInt32 = 8000) -> Data {
        var data = Data("RIFF".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        u32(UInt32(36 + 2 * samples.count)); data.append(Data("WAVEfmt ".utf8))
        u32(16); u16(1); u16(channels); u32(rate); u32(rate * 2 * UInt32(channels)); u16(2 * channels); u16(16)
        data.append(Data("data".utf8)); u32(UInt32(2 * samples.count))
        for s in samples { u16(UInt16(bitPattern: s)) }
        return data
    }

    func testWAVFramesAndScaling() throws {
        // Written by vrnn's own encoder (what `vrnn sample --out x.wav` writes), read back exactly;
        // values beyond [-1, 1) are clamped.
        let path = try file("a.wav", WAVFile.encode([0, 0.5, -1.5, 0.25, 1 / 32768, 2 / 32768, 3 / 32768], sampleRate: 8000))
        let read = try WAVFile.frames(path, frameSize: 3)
        XCTAssertEqual(read.sequence, FrameSequence(values: [0, 0.5, -1, 0.25, 1 / 32768, 2 / 32768], dim: 3))
        XCTAssertEqual(read.sampleRate, 8000)
        XCTAssertEqual(read.droppedSamples, 1)
        let stereo = try file("s.wav", Self.wav(samples: [0, 0, 0, 0], channels: 2))
        XCTAssertThrowsError(try WAVFile.frames(stereo, frameSize: 1)) { XCTAssertTrue("\($0)".contains("2-channel 16-bit")) }
        let notWAV = try file("n.wav", Data("hello world, not a wav".utf8))
        XCTAssertThrowsError(try WAVFile.frames(notWAV, frameSize: 1)) { XCTAssertTrue("\($0)".contains("not a WAV file")) }
    }

    /// A version-1 .npy file.
    static func npy(descr: String, shape: String, fortran: Bool = false, payload: Data) -> Data {
        NPYWriter.header(descr: descr, shape: shape, fortranOrder: fortran) + payload
    }

    func testNPYFloat32AndFloat64() throws {
        let f4 = Data([Float(1.5), -2, 3, 4, 5, 6].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
        XCTAssertEqual(try NPYFile.read(try file("a.npy", Self.npy(descr: "<f4", shape: "(3, 2)", payload: f4))),
                       FrameSequence(values: [1.5, -2, 3, 4, 5, 6], dim: 2))
        let f8 = Data([0.25, 0.5, 0.75].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
        let written = try file("w.npy", NPYWriter.data([1, 2, 3, 4, 5, 6], shape: [2, 3]))
        XCTAssertEqual(try NPYFile.read(written), FrameSequence(values: [1, 2, 3, 4, 5, 6], dim: 3), "our writer, our reader")
        XCTAssertEqual(try NPYFile.read(try file("b.npy", Self.npy(descr: "<f8", shape: "(3,)", payload: f8))),
                       FrameSequence(values: [0.25, 0.5, 0.75], dim: 1))
        let cases: [(Data, String)] = [
            (Self.npy(descr: ">f4", shape: "(3, 2)", payload: f4), "dtype >f4"),
            (Self.npy(descr: "<f4", shape: "(3, 2)", fortran: true, payload: f4), "Fortran-ordered"),
            (Self.npy(descr: "<f4", shape: "(4, 2)", payload: f4), "the file is truncated"),
            (Self.npy(descr: "<i8", shape: "(3,)", payload: f8), "dtype <i8"),
            (Data("plain".utf8), "not a .npy file"),
        ]
        for (bytes, message) in cases {
            XCTAssertThrowsError(try NPYFile.read(try file("bad.npy", bytes))) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }

    func testSplitAndNormalisationUseTheTrainingSplitOnly() throws {
        let sequences = [FrameSequence(values: [0, 10, 2, 10], dim: 2), FrameSequence(values: [4, 20, 6, 30], dim: 2),
                         FrameSequence(values: [100, 100], dim: 2)]
        let dataset = try SequenceDataset.frames(sequences, validFraction: 0.2, metadata: "{}")
        XCTAssertEqual(dataset.train, 0..<2)
        XCTAssertEqual(dataset.valid, 2..<3)
        guard case .frames(let values, 2, let mean, let std) = dataset.values else { return XCTFail("frames") }
        XCTAssertEqual(mean, [3, 17.5])                                      // of the first two sequences only
        XCTAssertEqual(std[0], Float(5.0.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(values[0], -3 / std[0], accuracy: 1e-6)
        XCTAssertEqual(values[8], 97 / std[0], accuracy: 1e-4)                // the validation row, by training statistics

        let single = try SequenceDataset.frames([FrameSequence(values: (0..<20).map(Float.init), dim: 1)], validFraction: 0.25, metadata: "{}")
        XCTAssertEqual(single.offsets, [0, 15, 20])
        XCTAssertEqual(single.valid, 1..<2)
    }
}
