import Foundation
import Storage
import XCTest

/// The dataset file: written atomically, read back exactly, and refused with one clear line when wrong.
final class SequenceDatasetTests: TemporaryFolderTestCase {
    func frames(_ values: [Float]) -> SequenceDataset {
        SequenceDataset(values: .frames(values, dim: 2, mean: [0.5, -1], std: [2, 3]), offsets: [0, 2, Int64(values.count / 2)],
                        train: 0..<1, valid: 1..<2, metadata: "{\"kind\":\"test\"}")
    }

    func testFramesAndTokensRoundTrip() throws {
        let path = folder.appendingPathComponent("frames.h5").path
        let big = (0..<10_000).map { Float($0) * 0.25 }       // large enough to be chunked and compressed
        try frames(big).write(to: path, overwrite: false)
        XCTAssertEqual(try SequenceDataset(readingAt: path), frames(big))
        let text = SequenceDataset(values: .tokens([0, 2, 1, 2], vocabulary: [65, 66, 67]), offsets: [0, 3, 4],
                                   train: 0..<1, valid: 1..<2, metadata: "{}")
        let textPath = folder.appendingPathComponent("text.h5").path
        try text.write(to: textPath, overwrite: false)
        let read = try SequenceDataset(readingAt: textPath)
        XCTAssertEqual(read, text)
        XCTAssertEqual(read.slice(1..<2).offsets, [0, 1])
    }

    func testExistingFileIsKeptWithoutOverwrite() throws {
        let path = folder.appendingPathComponent("keep.h5").path
        try frames([1, 2, 3, 4]).write(to: path, overwrite: false)
        XCTAssertThrowsError(try frames([5, 6, 7, 8]).write(to: path, overwrite: false)) { error in
            XCTAssertTrue("\(error)".contains("already exists; pass --force"))
        }
        XCTAssertEqual(try SequenceDataset(readingAt: path), frames([1, 2, 3, 4]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["keep.h5"], "no temporary file left")
    }

    func testBadFilesGetOneClearLine() throws {
        let nan = folder.appendingPathComponent("nan.h5").path
        try frames([1, .nan, 3, 4]).write(to: nan, overwrite: false)
        let notHDF5 = folder.appendingPathComponent("plain.h5").path
        _ = FileManager.default.createFile(atPath: notHDF5, contents: Data("hello".utf8))
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("VRNNTests/Fixtures/reference.h5").path
        for (path, message) in [(nan, "must be finite"), (notHDF5, "not an HDF5 file"), (fixture, "not a vrnn dataset"),
                                (folder.appendingPathComponent("none.h5").path, "no such file")] {
            XCTAssertThrowsError(try SequenceDataset(readingAt: path)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(message), "\(path): \(text)")
                XCTAssertFalse(text.contains("\n"), "one line")
            }
        }
    }
}
