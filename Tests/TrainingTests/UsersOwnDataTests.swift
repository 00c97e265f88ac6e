import CSndFile
import Foundation
import XCTest

/// A user's own data through `vrnn prepare` and `vrnn train`: 0/1 columns, a preset's head, long
/// recordings feeding many streams, CSVs with dates, quotes and constant columns, named
/// validation files, column names in samples, and audio of any format.
final class UsersOwnDataTests: CLITestCase {
    func vrnn(_ arguments: [String], ranks: Int = 1) throws -> MPIRun.Result {
        let result = try MPIRun.run(ranks: ranks, arguments, timeout: 120)
        XCTAssertFalse(result.timedOut, "\(arguments) hung")
        return result
    }

    /// A CSV of `rows` steps: a date, x and y on a circle, a 0/1 pen column and a constant.
    func penCSV(_ name: String, rows: Int, phase: Double = 0) throws -> String {
        var lines = ["date,dx,dy,pen_up,unit"]
        for t in 0..<rows {
            let angle = phase + Double(t) * 0.3
            lines.append(String(format: "\"2024-01-%02d\",\"%.4f\",%.4f,%d,7", t % 28 + 1, cos(angle), sin(angle), t % 9 == 8 ? 1 : 0))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// Per-step training losses printed by `vrnn train`.
    static func losses(_ output: String) -> [Double] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[0] == "step" && fields[2] == "loss" ? Double(fields[3]) : nil
        }
    }

    /// 0/1 columns stay raw, so the pen and Bernoulli heads train with a bounded loss; a target
    /// that is not 0/1 is refused in one line. A date column is left out and named, quoted numbers
    /// read, a constant column warned about; --preset pen keeps its head, --head gmm gets 20 components.
    func testZeroOneColumnsPresetHeadsAndCSVDetails() throws {
        let csv = try penCSV("pen.csv", rows: 600)
        let prepared = try vrnn(["prepare", "csv", csv, "--out", path("pen.h5")])
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        XCTAssertTrue(prepared.stdout.contains("left out as not numbers: date"), prepared.stdout)
        XCTAssertTrue(prepared.stdout.contains("kept unnormalised: pen_up"), prepared.stdout)
        XCTAssertTrue(prepared.stdout.contains("warning: unit has one value throughout the training split"), prepared.stdout)
        let inspected = try vrnn(["inspect", path("pen.h5")])
        XCTAssertTrue(inspected.stdout.contains("\"raw_columns\":[2]"), inspected.stdout)

        let pen3 = try vrnn(["prepare", "csv", csv, "--columns", "dx,dy,pen_up", "--out", path("pen3.h5")])
        XCTAssertEqual(pen3.status, 0, pen3.stderr)
        let pen = try vrnn(["train", "--data", path("pen3.h5"), "--run", path("pen-run"), "--preset", "pen", "--global-batch", "4",
                            "--window", "20", "--steps", "3", "--log-every", "1"])
        XCTAssertEqual(pen.status, 0, pen.stderr)
        XCTAssertTrue(pen.stdout.contains("pen head, 5 components"), pen.stdout)
        let gmm = try vrnn(["train", "--data", path("pen3.h5"), "--run", path("gmm-run"), "--preset", "tiny", "--head", "gmm",
                            "--global-batch", "4", "--window", "20", "--steps", "1"])
        XCTAssertEqual(gmm.status, 0, gmm.stderr)
        XCTAssertTrue(gmm.stdout.contains("gmm head, 20 components"), gmm.stdout)
        // From a pen run's config.json too: --head gmm gets its own 20 components, not the pen head's 5.
        let configured = try vrnn(["train", "--config", path("pen-run") + "/config.json", "--data", path("pen3.h5"), "--run", path("gmm-config"),
                                   "--head", "gmm", "--steps", "1"])
        XCTAssertEqual(configured.status, 0, configured.stderr)
        XCTAssertTrue(configured.stdout.contains("gmm head, 20 components"), configured.stdout)

        let binary = try vrnn(["prepare", "csv", csv, "--columns", "pen_up", "--out", path("bits.h5")])
        XCTAssertEqual(binary.status, 0, binary.stderr)
        let bernoulli = try vrnn(["train", "--data", path("bits.h5"), "--run", path("bits-run"), "--preset", "tiny", "--head", "bernoulli",
                                  "--global-batch", "4", "--window", "20", "--steps", "20", "--log-every", "1", "--lr", "0.01"])
        XCTAssertEqual(bernoulli.status, 0, bernoulli.stderr)
        let losses = Self.losses(bernoulli.stdout)
        XCTAssertEqual(losses.count, 20)
        XCTAssertTrue(losses.allSatisfy { $0 >= 0 && $0 < 2 }, "a Bernoulli loss is bounded below by 0: \(losses)")
        assertOneErrorLine(try vrnn(["train", "--data", path("pen.h5"), "--run", path("bad"), "--preset", "tiny", "--head", "bernoulli",
                                     "--global-batch", "4", "--window", "20", "--steps", "1"], ranks: 2),
                           "the bernoulli head models every column as 0 or 1, but column 0 holds", "bernoulli on normalised data")
    }

    /// Two recordings feed 8 streams (a sequence is cut across streams); named validation files
    /// form the validation split; samples carry the data's column names.
    func testLongFilesFeedManyStreamsNamedValidationAndColumnNames() throws {
        let train = [try penCSV("a.csv", rows: 300), try penCSV("b.csv", rows: 300, phase: 1)]
        let valid = try penCSV("v.csv", rows: 200, phase: 2)
        let prepared = try vrnn(["prepare", "csv"] + train + ["--columns", "dx,dy,pen_up", "--valid", valid, "--out", path("two.h5")])
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        XCTAssertTrue(prepared.stdout.contains("2 training and 1 validation sequences"), prepared.stdout)
        let trained = try vrnn(["train", "--data", path("two.h5"), "--run", path("run"), "--preset", "pen", "--global-batch", "8",
                                "--window", "16", "--steps", "2"], ranks: 2)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("validation reads 8 streams x 1 windows of 16"), trained.stdout)
        let sampled = try vrnn(["sample", "--checkpoint", path("run"), "--samples", "1", "--length", "3", "--out", path("s.csv")])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        XCTAssertTrue(try String(contentsOfFile: path("s.csv"), encoding: .utf8).hasPrefix("sample,t,dx,dy,pen_up\n"))
        assertOneErrorLine(try vrnn(["train", "--data", path("two.h5"), "--run", path("big"), "--preset", "pen", "--global-batch", "64",
                                     "--window", "16", "--steps", "1"]),
                           "the data's length allows --global-batch 37 at this --window", "G beyond the data's length")
        assertOneErrorLine(try vrnn(["prepare", "csv", train[0], "--valid", valid, "--valid-fraction", "0.2", "--out", path("x.h5")]),
                           "choose one", "--valid with --valid-fraction")
    }

    /// Stereo 24-bit WAV and 16-bit FLAC, made here by libsndfile: mixed down (or one channel),
    /// normalised with one mean and standard deviation for the waveform, and trained on.
    func testStereoAndFLACAudio() throws {
        let samples = (0..<4_000).flatMap { t -> [Float] in
            let left = Float(0.4 * sin(Double(t) * 0.05)), right = Float(0.2 * sin(Double(t) * 0.11))
            return [left, right]
        }
        for (name, format) in [("a.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24)), ("b.flac", Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16))] {
            var info = SF_INFO()
            info.format = format
            info.channels = 2
            info.samplerate = 8_000
            let file = try XCTUnwrap(sf_open(path(name), Int32(SFM_WRITE), &info))
            XCTAssertEqual(Int(sf_writef_float(file, samples, sf_count_t(samples.count / 2))), samples.count / 2)
            sf_close(file)
        }
        let prepared = try vrnn(["prepare", "audio", path("a.wav"), path("b.flac"), "--frame", "40", "--valid-fraction", "0", "--out", path("audio.h5")])
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        XCTAssertTrue(prepared.stdout.contains("(one mean and standard deviation for all)"), prepared.stdout)
        XCTAssertTrue(prepared.stdout.contains("channels mixed down to one"), prepared.stdout)
        let picked = try vrnn(["prepare", "audio", path("b.flac"), "--channel", "1", "--normalise", "per-position", "--out", path("right.h5")])
        XCTAssertEqual(picked.status, 0, picked.stderr)
        XCTAssertTrue(picked.stdout.contains("channel 1 of each file"), picked.stdout)
        let trained = try vrnn(["train", "--data", path("audio.h5"), "--run", path("run"), "--preset", "tiny", "--head", "gmm", "--mixtures", "2",
                                "--global-batch", "4", "--window", "10", "--steps", "2"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        assertOneErrorLine(try vrnn(["prepare", "audio", path("b.flac"), "--channel", "2", "--out", path("c.h5")]),
                           "--channel 2 but the file has 2 channels", "a channel the file lacks")
    }

    /// Without a preset, real-valued data gets `auto`: speech for audio, series for a CSV, with G
    /// and T fitted to a short recording and the choice logged; G and T given are kept.
    func testAutoPresetSuitsTheDataAndFitsStreamsAndWindow() throws {
        var info = SF_INFO()
        info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        info.channels = 1
        info.samplerate = 8_000
        let file = try XCTUnwrap(sf_open(path("short.wav"), Int32(SFM_WRITE), &info))
        let samples = (0..<6_000).map { Float(0.3 * sin(Double($0) * 0.07)) }
        XCTAssertEqual(Int(sf_writef_float(file, samples, sf_count_t(samples.count))), samples.count)
        sf_close(file)
        XCTAssertEqual(try vrnn(["prepare", "audio", path("short.wav"), "--frame", "20", "--out", path("short.h5")]).status, 0)
        let speech = try vrnn(["train", "--data", path("short.h5"), "--run", path("speech"), "--steps", "1"], ranks: 2)
        XCTAssertEqual(speech.status, 0, speech.stderr)
        XCTAssertTrue(speech.stdout.contains("H=512 Z=64 (residual q), gmm head, 20 components"), speech.stdout)
        // 270 training frames: the speech preset's G=32 T=40 do not fit; T shrinks to 16, then G halves to 16.
        XCTAssertTrue(speech.stdout.contains("--preset auto chose G=16 T=16 (the preset's G=32 T=40 do not fit the training split's 270 rows on 2 ranks"),
                      speech.stdout)

        let csv = try penCSV("series.csv", rows: 300)
        XCTAssertEqual(try vrnn(["prepare", "csv", csv, "--out", path("series.h5")]).status, 0)
        let series = try vrnn(["train", "--data", path("series.h5"), "--run", path("series"), "--steps", "1"])
        XCTAssertEqual(series.status, 0, series.stderr)
        XCTAssertTrue(series.stdout.contains("H=128 Z=16 (residual q), gaussian head"), series.stdout)
        XCTAssertTrue(series.stdout.contains("G=16 T=16,"), series.stdout)

        let given = try vrnn(["train", "--data", path("short.h5"), "--run", path("given"), "--steps", "1", "--window", "40"], ranks: 2)
        XCTAssertNotEqual(given.status, 0)
        XCTAssertTrue(given.stderr.contains("32 streams of at least one window of 40 rows"), given.stderr)
    }
}
