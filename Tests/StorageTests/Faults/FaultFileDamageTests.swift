import CHDF5
import Foundation
import Storage
import XCTest

/// Every damaged or wrong file gets one clear line naming the file and the problem, never a crash
/// (ARCHITECTURE §7.6): checkpoints and datasets, truncated, bit-flipped, of another kind or a
/// newer version, with a dataset missing or of the wrong type or shape, non-finite or empty.
final class FaultFileDamageTests: TemporaryFolderTestCase {
    let layout = [TensorLayout(name: "layer.weight", shape: [4, 25]), TensorLayout(name: "layer.bias", shape: [4])]
    var weights: [Float] { (0..<104).map { 1 + Float($0) * 0.001 } }

    func checkpoint(parameters: [Float]? = nil) -> CheckpointState {
        CheckpointState(config: "{}", codeVersion: "test", dataFingerprint: "rows 1", step: 7, tokensSeen: 70, layout: layout,
                        parameters: parameters ?? weights, adamM: Array(repeating: 0.5, count: 104),
                        adamV: Array(repeating: 0.25, count: 104), adamStep: 7, klBase: 1, adamHyperparameters: ["lr": 0.001],
                        cursors: [3, 5], epochs: [0, 1], hidden: Array(repeating: 0.1, count: 2 * 1 * 3), cell: [],
                        layers: 1, hiddenSize: 3, metricsColumns: ["step", "loss"], metrics: [1, 2.5, 2, 2.25],
                        decoding: .vocabulary([65, 66, 67]))
    }

    func readCheckpoint(_ path: String) throws {
        _ = try CheckpointReader(path: path).state(layout: layout, layers: 1, hiddenSize: 3, lstm: false)
    }

    /// A fresh copy of `source` named `name`, damaged by `damage`.
    func copy(_ source: String, _ name: String, _ damage: (String) throws -> Void) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: source, toPath: path)
        try damage(path)
        return path
    }

    func assertOneLine(_ read: () throws -> Void, contains message: String, _ what: String, line: UInt = #line) {
        XCTAssertThrowsError(try read(), what, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(message), "\(what): expected \"\(message)\" in: \(text)", line: line)
            XCTAssertFalse(text.contains("\n"), "\(what): one line", line: line)
        }
    }

    func testCheckpointRoundTripsAndDamageIsReported() throws {
        let good = folder.appendingPathComponent("good.h5").path
        try checkpoint().write(to: good)
        let state = try CheckpointReader(path: good).state(layout: layout, layers: 1, hiddenSize: 3, lstm: false)
        XCTAssertEqual(state.parameters, weights)
        XCTAssertEqual(state.cursors, [3, 5])
        XCTAssertEqual(state.metrics, [1, 2.5, 2, 2.25])
        XCTAssertEqual(state.adamStep, 7)
        XCTAssertEqual(state.decoding, .vocabulary([65, 66, 67]))

        let nan = folder.appendingPathComponent("nan.h5").path
        try checkpoint(parameters: weights.enumerated().map { $0.offset == 50 ? .nan : $0.element }).write(to: nan)
        let dataset = folder.appendingPathComponent("dataset.h5").path
        try SequenceDataset(values: .tokens([0, 1], vocabulary: [65, 66]), offsets: [0, 2], train: 0..<1, valid: 1..<1,
                            metadata: "{}").write(to: dataset, overwrite: false)
        let plain = folder.appendingPathComponent("plain.h5").path
        _ = FileManager.default.createFile(atPath: plain, contents: Data(repeating: 7, count: 4096))
        let cases: [(String, String)] = [
            (try copy(good, "truncated.h5") { try HDF5Surgery.truncate($0, to: 0.6) }, "truncated or corrupt"),
            (try copy(good, "flipped.h5") { try HDF5Surgery.flipBit(in: $0, inside: HDF5Surgery.littleEndianBytes(Array(self.weights[0..<8]))) },
             "/params/layer.weight: its checksum does not match"),
            (plain, "not an HDF5 file"),
            (dataset, "not a vrnn checkpoint (format vrnn-dataset)"),
            (try copy(good, "newer.h5") { HDF5Surgery.setVersion(3, in: $0) }, "checkpoint format version 3 is newer"),
            // Format 2: any change to an attribute, a shape or a type fails the metadata checksum.
            (try copy(good, "step.h5") { HDF5Surgery.setAttribute("step", 12345, in: $0) }, "do not match their checksum; the file is damaged"),
            (try copy(good, "retyped.h5") {
                HDF5Surgery.replace("params/layer.bias", in: $0, with: [Int32](repeating: 1, count: 4), shape: [4],
                                    fileType: chdf5_std_i32le(), memoryType: chdf5_native_int32())
            }, "do not match their checksum; the file is damaged"),
            // Format 1 (no checksum): the readers' own checks still catch each kind of damage.
            (try copy(good, "missing.h5") { HDF5Surgery.delete("streams/cursor", in: $0); HDF5Surgery.setVersion(1, in: $0) },
             "missing dataset /streams/cursor"),
            (try copy(good, "dtype.h5") {
                HDF5Surgery.replace("params/layer.bias", in: $0, with: [Int32](repeating: 1, count: 4), shape: [4],
                                    fileType: chdf5_std_i32le(), memoryType: chdf5_native_int32())
                HDF5Surgery.setVersion(1, in: $0)
            }, "/params/layer.bias holds int32 but floating point values are expected"),
            (try copy(good, "shape.h5") {
                HDF5Surgery.replace("params/layer.weight", in: $0, with: [Float](repeating: 1, count: 100), shape: [25, 4],
                                    fileType: chdf5_ieee_f32le(), memoryType: chdf5_native_float())
                HDF5Surgery.setVersion(1, in: $0)
            }, "/params/layer.weight has shape [25, 4] but the model needs [4, 25]"),
            (try copy(good, "negative.h5") { HDF5Surgery.setAttribute("step", -5, in: $0); HDF5Surgery.setVersion(1, in: $0) },
             "its step attribute is -5.0, not a count"),
            (nan, "/params/layer.weight holds nan"),
            (folder.appendingPathComponent("absent.h5").path, "no such file"),
        ]
        for (path, message) in cases { assertOneLine({ try readCheckpoint(path) }, contains: message, path) }
    }

    func testDatasetDamageIsReported() throws {
        let tokens: [Int32] = (0..<600).map { Int32($0 % 3) }
        let good = folder.appendingPathComponent("good.h5").path
        try SequenceDataset(values: .tokens(tokens, vocabulary: [65, 66, 67]), offsets: [0, 500, 600], train: 0..<1, valid: 1..<2,
                            metadata: "{}", trainFingerprint: "rows 500, sequences 1, fnv1a64 0").write(to: good, overwrite: false)
        let read = try SequenceDataset(readingAt: good)
        XCTAssertEqual(read.values, .tokens(tokens, vocabulary: [65, 66, 67]), "uint8 ids read back as the same ids")
        XCTAssertEqual(read.trainFingerprint, "rows 500, sequences 1, fnv1a64 0")
        let checkpointFile = folder.appendingPathComponent("checkpoint.h5").path
        try checkpoint().write(to: checkpointFile)
        let empty = folder.appendingPathComponent("empty.h5").path
        try SequenceDataset(values: .tokens([], vocabulary: [65]), offsets: [0, 0], train: 0..<1, valid: 1..<1, metadata: "{}")
            .write(to: empty, overwrite: false)
        let frames = folder.appendingPathComponent("frames.h5").path
        try SequenceDataset(values: .frames([1, 2, 3, 4], dim: 2, mean: [0, 0], std: [1, 1]), offsets: [0, 2], train: 0..<1,
                            valid: 1..<1, metadata: "{}").write(to: frames, overwrite: false)
        let cases: [(String, String)] = [
            (try copy(good, "truncated.h5") { try HDF5Surgery.truncate($0, to: 0.5) }, "truncated or corrupt"),
            (try copy(good, "flipped.h5") { try HDF5Surgery.flipBit(in: $0, inside: tokens[0..<48].map { UInt8($0) }) },
             "/data: its checksum does not match"),
            // Format 2 protects the attributes (the training fingerprint among them), shapes and types.
            (try copy(good, "fingerprint.h5") { try HDF5Surgery.flipBit(in: $0, inside: Array("rows 500, sequences 1".utf8)) },
             "do not match their checksum; the file is damaged"),
            (try copy(good, "retyped.h5") {
                HDF5Surgery.replace("data", in: $0, with: tokens, shape: [600], fileType: chdf5_std_i32le(), memoryType: chdf5_native_int32())
            }, "do not match their checksum; the file is damaged"),
            (checkpointFile, "not a vrnn dataset (format vrnn-checkpoint)"),
            (try copy(good, "newer.h5") { HDF5Surgery.setVersion(3, in: $0) }, "dataset format version 3 is newer"),
            // The reader's own checks, on format-1 copies (which carry no checksum).
            (try copy(good, "missing.h5") { HDF5Surgery.delete("offsets", in: $0); HDF5Surgery.setVersion(1, in: $0) }, "missing dataset /offsets"),
            (try copy(good, "dtype.h5") {
                HDF5Surgery.replace("data", in: $0, with: tokens.map(Float.init), shape: [600],
                                    fileType: chdf5_ieee_f32le(), memoryType: chdf5_native_float())
                HDF5Surgery.setVersion(1, in: $0)
            }, "/data holds float32 but integer values are expected"),
            (try copy(frames, "shape.h5") {
                HDF5Surgery.replace("data", in: $0, with: [Float](repeating: 1, count: 4), shape: [4],
                                    fileType: chdf5_ieee_f32le(), memoryType: chdf5_native_float())
                HDF5Surgery.setVersion(1, in: $0)
            }, "/data has shape [4]; a real-valued dataset needs [N, D]"),
            (empty, "the dataset is empty"),
        ]
        for (path, message) in cases { assertOneLine({ _ = try SequenceDataset(readingAt: path) }, contains: message, path) }
    }
}
