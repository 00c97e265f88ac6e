import CSndFile
import Foundation
import Storage
import XCTest

/// The raw formats `vrnn prepare` reads: CSV (columns, header, missing values, quotes), audio
/// through libsndfile and .npy, and the split and normalisation every real-valued dataset gets.
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
                                ("x,y\n1,2\n3,abc\n", "b2.csv:3: \"abc\" in column y is not a finite number; leave the column out"),
                                ("x,y\na,b\n", "no column holds numbers"),
                                ("x,y\n", "no data rows after the header")] {
            let bad = try file("b2.csv", Data(text.utf8))
            XCTAssertThrowsError(try CSVSequence.read(bad, columns: nil, missing: .refuse)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
        XCTAssertThrowsError(try CSVSequence.read(path, columns: ["z"], missing: .refuse)) { XCTAssertTrue("\($0)".contains("no column z")) }
    }

    /// Quoted numbers, a date column left out by default (and named), and line numbers that count
    /// blank lines and lines inside quoted fields.
    func testCSVQuotesDatesAndLineNumbers() throws {
        let quoted = try file("q.csv", Data("\"date\",\"x\",\"label\"\r\n\"2020-01-01\",\"1\",\"a, b\"\r\n\n\"2020-01-02\",\"2.5\",\"c\"\r\n".utf8))
        let read = try CSVSequence.read(quoted, columns: nil, missing: .refuse)
        XCTAssertEqual(read.sequence.values, [1, 2.5])
        XCTAssertEqual(read.header, ["x"])
        XCTAssertEqual(read.skipped, ["date", "label"])
        for (name, bytes, message) in [("latin1.csv", Data([97, 44, 0xE9, 116, 10, 49, 44, 50, 10]), "latin1.csv:1: not UTF-8 text"),
                                       ("twice.csv", Data("a,a\n1,2\n".utf8), "2 columns are named a"),
                                       ("amb.csv", Data("b,0\n1,2\n".utf8), "--columns 0 names the column at index 1 and is also the index of column b")] {
            let choose: [String]? = name == "latin1.csv" ? nil : [name == "twice.csv" ? "a" : "0"]
            XCTAssertThrowsError(try CSVSequence.read(try file(name, bytes), columns: choose, missing: .refuse)) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
        let semicolons = try file("semi.csv", Data("x;y\n1,5;2\n3;4\n".utf8))
        XCTAssertThrowsError(try CSVSequence.read(semicolons, columns: nil, missing: .refuse)) {
            XCTAssertTrue("\($0)".contains("give --delimiter ';'"), "\($0)")
        }
        XCTAssertThrowsError(try CSVSequence.read(semicolons, columns: ["x", "y"], missing: .refuse, delimiter: ";")) {
            XCTAssertTrue("\($0)".contains("semi.csv:2: \"1,5\" in column x is not a finite number"), "\($0)")   // a decimal comma
        }
        XCTAssertEqual(try CSVSequence.read(try file("semi2.csv", Data("x;y\n1;2\n3;4\n".utf8)), columns: nil, missing: .refuse, delimiter: ";")
            .sequence.values, [1, 2, 3, 4])
        let late = try file("late.csv", Data("x,note\n1,\"two\nlines\"\n\n2,ok\nthree,ok\n".utf8))
        XCTAssertThrowsError(try CSVSequence.read(late, columns: ["x"], missing: .refuse)) {
            XCTAssertTrue("\($0)".contains("late.csv:6: \"three\" in column x"), "\($0)")
        }
    }

    /// Columns of 0s and 1s stay raw; a constant column is centred, not blown up; --global shares one scale.
    func testBinaryConstantAndGlobalScaling() throws {
        let sequences = [FrameSequence(values: [0, 5, 7, 1, 5, 9, 1, 5, 11, 0, 5, 13], dim: 3)]
        let prepared = try SequenceDataset.frames(sequences, validFraction: 0, metadata: "{}")
        XCTAssertEqual(prepared.rawColumns, [0])
        XCTAssertEqual(prepared.constantColumns, [1])
        guard case .frames(let values, 3, let mean, let std) = prepared.dataset.values else { return XCTFail("frames") }
        XCTAssertEqual(Array(values[0..<3]), [0, 0, Float(-3 / 5.0.squareRoot())])
        XCTAssertEqual(mean, [0, 5, 10])
        XCTAssertEqual(std[0...1], [1, 1])
        // Epoch timestamps vary by a few seconds on 1.7e9: a varying column, scaled from Double.
        let stamps = try SequenceDataset.frames([FrameSequence(values: (0..<4).map { 1_700_000_000 + Double($0) }, dim: 1)],
                                                validFraction: 0, metadata: "{}")
        XCTAssertEqual(stamps.constantColumns, [])
        guard case .frames(let scaled, 1, _, let stampStd) = stamps.dataset.values else { return XCTFail("frames") }
        XCTAssertEqual(stampStd[0], Float(1.25.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(scaled, [-1.5, -0.5, 0.5, 1.5].map { Float($0 / 1.25.squareRoot()) })
        let global = try SequenceDataset.frames([FrameSequence(values: [1, 3, 5, 7], dim: 2)], validFraction: 0, metadata: "{}",
                                                detectBinary: false, scaling: .global)
        guard case .frames(_, 2, let globalMean, let globalStd) = global.dataset.values else { return XCTFail("frames") }
        XCTAssertEqual(globalMean, [4, 4])
        XCTAssertEqual(globalStd[0], Float(5.0.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(globalStd[0], globalStd[1])
    }

    /// An audio file written by libsndfile: `format` (e.g. WAV | PCM_24), interleaved `samples`.
    func audio(_ name: String, format: Int32, channels: Int, rate: Int = 8000, _ samples: [Float]) throws -> String {
        let path = folder.appendingPathComponent(name).path
        var info = SF_INFO()
        info.format = format
        info.channels = Int32(channels)
        info.samplerate = Int32(rate)
        let file = try XCTUnwrap(sf_open(path, Int32(SFM_WRITE), &info), String(cString: sf_strerror(nil)))
        XCTAssertEqual(Int(sf_writef_float(file, samples, sf_count_t(samples.count / channels))), samples.count / channels)
        sf_close(file)
        return path
    }

    func testAudioFramesChannelsAndFormats() throws {
        // Written by vrnn's own encoder (what `vrnn sample --out x.wav` writes), read back exactly;
        // values beyond [-1, 1) are clamped.
        let path = try file("a.wav", WAVFile.encode([0, 0.5, -1.5, 0.25, 1 / 32768, 2 / 32768, 3 / 32768], sampleRate: 8000))
        let read = try AudioFile.frames(path, frameSize: 3)
        XCTAssertEqual(read.sequence, FrameSequence(values: [0, 0.5, -1, 0.25, 1 / 32768, 2 / 32768], dim: 3))
        XCTAssertEqual(read.sampleRate, 8000)
        XCTAssertEqual(read.droppedSamples, 1)
        // Stereo 24-bit WAV and FLAC: mixed down by default, one channel on request.
        let left: [Float] = [0.5, -0.25, 0.125, 0], right: [Float] = [0.25, 0.25, -0.125, 0.5]
        let interleaved = zip(left, right).flatMap { [$0, $1] }
        for (name, format) in [("s24.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24)), ("s.flac", Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)),
                               ("f.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT))] {
            let stereo = try audio(name, format: format, channels: 2, interleaved)
            XCTAssertEqual(try AudioFile.frames(stereo, frameSize: 2).sequence.values, zip(left, right).map { Double(($0 + $1) / 2) }, name)
            XCTAssertEqual(try AudioFile.frames(stereo, frameSize: 4, channel: 1).sequence.values, right.map(Double.init), name)
            XCTAssertEqual(try AudioFile.frames(stereo, frameSize: 1).channels, 2)
            XCTAssertThrowsError(try AudioFile.frames(stereo, frameSize: 1, channel: 2)) { XCTAssertTrue("\($0)".contains("has 2 channels"), "\($0)") }
        }
        // Headerless little-endian 16-bit PCM.
        let pcm = try file("a.raw", Data([0x00, 0x40, 0x00, 0xC0]))
        let rawRead = try AudioFile.frames(pcm, frameSize: 2, raw: AudioFile.Raw(format: .s16le, sampleRate: 16000))
        XCTAssertEqual(rawRead.sequence.values, [0.5, -0.5])
        XCTAssertEqual(rawRead.sampleRate, 16000)
        XCTAssertThrowsError(try AudioFile.frames(try file("odd.raw", Data([0, 64, 0])), frameSize: 1, raw: AudioFile.Raw(format: .s16le, sampleRate: 8000))) {
            XCTAssertTrue("\($0)".contains("3 bytes is not a whole number of 1-channel s16le samples"), "\($0)")
        }
        XCTAssertThrowsError(try AudioFile.frames(path, frameSize: 1, raw: AudioFile.Raw(format: .s16le, sampleRate: 8000))) {
            XCTAssertTrue("\($0)".contains("has an audio header"), "\($0)")
        }
        let notAudio = try file("n.wav", Data("hello world, not a wav".utf8))
        XCTAssertThrowsError(try AudioFile.frames(notAudio, frameSize: 1)) { XCTAssertTrue("\($0)".contains("cannot read it as audio"), "\($0)") }
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
        let dataset = try SequenceDataset.frames(sequences, validFraction: 0.2, metadata: "{}").dataset
        XCTAssertEqual(dataset.train, 0..<2)
        XCTAssertEqual(dataset.valid, 2..<3)
        guard case .frames(let values, 2, let mean, let std) = dataset.values else { return XCTFail("frames") }
        XCTAssertEqual(mean, [3, 17.5])                                      // of the first two sequences only
        XCTAssertEqual(std[0], Float(5.0.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(values[0], -3 / std[0], accuracy: 1e-6)
        XCTAssertEqual(values[8], 97 / std[0], accuracy: 1e-4)                // the validation row, by training statistics

        let single = try SequenceDataset.frames([FrameSequence(values: (0..<20).map(Double.init), dim: 1)], validFraction: 0.25, metadata: "{}").dataset
        XCTAssertEqual(single.offsets, [0, 15, 20])
        XCTAssertEqual(single.valid, 1..<2)
    }
}

/// A real-valued dataset built in memory by FramePlan from sequences held here (prepare writes
/// the same plan to a file), and what its normalisation found.
struct PreparedFrames {
    var dataset: SequenceDataset
    /// Columns kept as they are: asked for, or holding only 0s and 1s in the training split.
    var rawColumns: [Int]
    /// Columns with one value throughout the training split (scaled by 1, not by their zero spread).
    var constantColumns: [Int]
}

extension SequenceDataset {
    static func frames(_ sequences: [FrameSequence], validFraction: Double, valid: [FrameSequence]? = nil, metadata: String,
                       rawColumns: Set<Int> = [], detectBinary: Bool = true, scaling: FrameScaling = .perPosition) throws -> PreparedFrames {
        let all = sequences + (valid ?? [])
        let plan = try FramePlan(count: all.count, validCount: valid?.count, validFraction: validFraction, rawColumns: rawColumns,
                                 detectBinary: detectBinary, scaling: scaling) { all[$0] }
        var values: [Float] = []
        try plan.forEachScaled(read: { all[$0] }) { values += $0 }
        let dataset = SequenceDataset(values: .frames(values, dim: plan.dim, mean: plan.mean, std: plan.std), offsets: plan.offsets,
                                      train: 0..<plan.trainCount, valid: plan.trainCount..<plan.parts.count, metadata: metadata)
        return PreparedFrames(dataset: dataset, rawColumns: plan.rawColumns, constantColumns: plan.constantColumns)
    }
}
