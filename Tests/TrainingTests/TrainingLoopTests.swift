import Kernels
import Training
import VRNN
import XCTest

final class TrainingLoopTests: XCTestCase {
    /// A VRNN learns a sequence whose next symbol is predictable from the past: the loss per step
    /// must fall from about log(8) = 2.08 nats to under 40 % of its first value within 150 steps.
    func testTrainingLowersTheLossOnAPeriodicSequence() throws {
        let pattern: [Int32] = [0, 1, 2, 3, 4, 5, 6, 7, 3, 2, 1]   // period 11 over 8 symbols
        let tokens = (0..<4000).map { pattern[$0 % pattern.count] }
        let config = ModelConfig(input: .categorical, inputSize: 8, embedding: 8, phiX: [16], phiZ: [8], prior: [16],
                                 encoder: [16], decoder: [16], activation: .elu, latent: 4, cell: .gru, hidden: 24,
                                 layers: 1, variant: .vrnn, head: .categorical)
        var training = TrainingConfig()
        training.globalBatch = 4
        training.window = 16
        training.seed = 3
        training.adam.learningRate = 1e-2
        let trainer = try Trainer(model: try VRNNModel(config), config: training, data: SequenceData(.tokens(tokens, vocabulary: 8)),
                                  collective: SingleProcess())
        var losses: [Double] = []
        for _ in 0..<150 { losses.append(trainer.trainStep().loss) }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(10).reduce(0, +) / 10
        print("training loop: loss \(first) -> \(last) nats/step")
        XCTAssertEqual(first, log(8), accuracy: 0.5, "an untrained model is near uniform")
        XCTAssertLessThan(last, 0.4 * first)
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
    }

    func testOneSequenceIsCutIntoPartsThatWrapWithAReset() throws {
        var streams = try SequenceStreams(offsets: [0, 40], globalStreams: 4, window: 3)  // parts of 10
        var rows = [Int](repeating: 0, count: 6), reset = [UInt8](repeating: 0, count: 6)
        streams.nextWindow(firstStream: 2, batch: 2, rows: &rows, reset: &reset)   // streams 2 and 3, time-major
        XCTAssertEqual(rows, [20, 30, 21, 31, 22, 32])
        XCTAssertEqual(reset, [1, 1, 0, 0, 0, 0])
        streams.nextWindow(firstStream: 2, batch: 2, rows: &rows, reset: &reset)
        XCTAssertEqual(rows, [23, 33, 24, 34, 25, 35])
        XCTAssertEqual(reset, [0, 0, 0, 0, 0, 0])
        streams.nextWindow(firstStream: 2, batch: 2, rows: &rows, reset: &reset)    // 26..28
        streams.nextWindow(firstStream: 2, batch: 2, rows: &rows, reset: &reset)    // 29 would overrun: wrap
        XCTAssertEqual(rows, [20, 30, 21, 31, 22, 32])
        XCTAssertEqual(reset, [1, 1, 0, 0, 0, 0])
        XCTAssertEqual(streams.epochs, [0, 0, 1, 1])
        XCTAssertThrowsError(try SequenceStreams(offsets: [0, 40], globalStreams: 20, window: 3))
    }

    /// Sequences of lengths 5, 3, 4, 2 over 2 streams: the 14 rows back to back are cut in two
    /// parts, stream 0 reading [0,5) and [5,7), stream 1 [7,8), [8,12) and [12,14): a sequence is
    /// cut across streams, with a reset at each sequence start and at each part's start.
    func testManySequencesArePackedPerStreamWithResets() throws {
        var streams = try SequenceStreams(offsets: [0, 5, 8, 12, 14], globalStreams: 2, window: 7)
        XCTAssertEqual(streams.tapeLengths, [7, 7])
        var rows = [Int](repeating: 0, count: 14), reset = [UInt8](repeating: 0, count: 14)
        streams.nextWindow(firstStream: 0, batch: 2, rows: &rows, reset: &reset)
        XCTAssertEqual(stride(from: 0, to: 14, by: 2).map { rows[$0] }, [0, 1, 2, 3, 4, 5, 6])
        XCTAssertEqual(stride(from: 1, to: 14, by: 2).map { rows[$0] }, [7, 8, 9, 10, 11, 12, 13])
        XCTAssertEqual(stride(from: 0, to: 14, by: 2).map { reset[$0] }, [1, 0, 0, 0, 0, 1, 0])
        XCTAssertEqual(stride(from: 1, to: 14, by: 2).map { reset[$0] }, [1, 1, 0, 0, 0, 1, 0])
        streams.nextWindow(firstStream: 0, batch: 2, rows: &rows, reset: &reset)   // the tapes wrap
        XCTAssertEqual(streams.epochs, [1, 1])
        XCTAssertEqual(rows[0], 0)
        XCTAssertEqual(reset[0], 1)
        // One long recording feeds 8 streams; only the total length limits G.
        XCTAssertNoThrow(try SequenceStreams(offsets: [0, 4, 100], globalStreams: 8, window: 12))
        XCTAssertThrowsError(try SequenceStreams(offsets: [0, 4, 100], globalStreams: 9, window: 12)) {
            XCTAssertTrue("\($0)".contains("allows --global-batch 8"), "\($0)")
        }
        // On 2 ranks the advice is a G they can share: 100 rows hold 7 windows of 13, so 6.
        XCTAssertThrowsError(try SequenceStreams(offsets: [0, 100], globalStreams: 8, window: 13, ranks: 2)) {
            XCTAssertTrue("\($0)".contains("allows --global-batch 6 at this --window on 2 ranks"), "\($0)")
        }
    }

    func testIndivisibleGlobalBatchIsRefused() throws {
        final class FakeRanks: Collective {
            var rank: Int { 0 }
            var size: Int { 3 }
            var context = CollectiveContext()
            func allreduceSum(_ buffer: FloatBuffer) {}
            func allreduceSum(_ values: [Double]) -> [Double] { values }
            func allreduceMinMax(_ values: [Double]) -> (min: [Double], max: [Double]) { (values, values) }
        }
        let model = try VRNNModel(ModelConfig(input: .categorical, inputSize: 4, embedding: 2, phiX: [2], phiZ: [2],
                                              prior: [], encoder: [], decoder: [], activation: .tanh, latent: 1,
                                              cell: .gru, hidden: 2, layers: 1, variant: .vrnn, head: .categorical))
        var config = TrainingConfig()
        config.globalBatch = 4
        config.window = 2
        XCTAssertThrowsError(try Trainer(model: model, config: config, data: SequenceData(.tokens(Array(repeating: 0, count: 100), vocabulary: 4)),
                                         collective: FakeRanks())) { error in
            XCTAssertTrue("\(error)".contains("--global-batch 4 cannot be split over 3 ranks"))
        }
    }

    func testClippingScalesToTheThresholdAndLeavesSmallGradientsAlone() {
        let g = FloatBuffer([3, 4])
        XCTAssertEqual(clipGlobalNorm(g, maxNorm: 1), 5)
        XCTAssertEqual(g[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(g[1], 0.8, accuracy: 1e-6)
        let small = FloatBuffer([0.3, 0.4])
        XCTAssertEqual(clipGlobalNorm(small, maxNorm: 1), 0.5, accuracy: 1e-7)
        XCTAssertEqual(small.array, [0.3, 0.4])
    }

    /// auto's G and T: the window shrinks to the rows per stream (not below 16), then G halves in
    /// multiples of the ranks, and only at one stream per rank does the window go below 16.
    func testStreamsAndWindowAreFittedToTheData() {
        var training = TrainingConfig()
        training.globalBatch = 16
        training.window = 50
        XCTAssertNil(training.fittingStreams(offsets: [0, 800], ranks: 2).note)
        let short = training.fittingStreams(offsets: [0, 90], ranks: 2).config
        XCTAssertEqual([short.globalBatch, short.window], [4, 16])
        let tiny = training.fittingStreams(offsets: [0, 4, 10], ranks: 1).config
        XCTAssertEqual([tiny.globalBatch, tiny.window], [1, 10])
        let uneven = training.fittingStreams(offsets: [0, 100_000], ranks: 3).config
        XCTAssertEqual([uneven.globalBatch, uneven.window], [15, 50])
    }
}
