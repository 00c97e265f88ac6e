import Runs
import Training

/// Trains a small text model for 40 steps on one process, checkpointing into `folder`, then
/// continues "The " with 200 sampled characters.
func trainAndSample(textFile: String, folder: String) throws -> String {
    var request = RunRequest(data: .text(textFile), folder: folder) { _, data, hints in
        var config = RunConfig(preset: .tiny, fittedTo: data, hints: hints)
        config.training.steps = 40
        config.control.checkpointEvery = 20
        return config
    }
    request.quiet = true                                      // no progress lines
    try TrainingRun(request, collective: SingleProcess()).train()

    let checkpoint = try LoadedCheckpoint(folder)             // the run's latest checkpoint
    let sampler = Sampler(checkpoint, temperature: 0.8, length: 200)
    return String(decoding: try sampler.texts(prime: "The ")[0], as: UTF8.self)
}
