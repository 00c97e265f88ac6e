import CSndFile
import Foundation

/// Audio read through libsndfile: WAV, FLAC, AIFF, Ogg and the rest it knows, integer samples of
/// any width and float, any number of channels, and headerless PCM. Samples come as Float in
/// [-1, 1) (libsndfile scales integer PCM), mixed down to one channel or one channel chosen, and
/// are cut into frames of D consecutive samples (the VRNN paper's audio setup uses D = 200); a
/// last incomplete frame is dropped.
public enum AudioFile {
    /// File endings taken from a folder.
    public static let extensions = ["wav", "flac", "aiff", "aif", "aifc", "ogg", "oga", "au", "snd", "caf", "w64", "rf64"]

    /// The sample layout of a headerless PCM file (`--raw-format`).
    public enum RawFormat: String, CaseIterable, Sendable {
        case s8, u8, s16le, s16be, s24le, s24be, s32le, s32be, f32le, f32be, f64le, f64be

        var sndfileFormat: Int32 {
            let sub: Int
            switch self {
            case .s8: sub = Int(SF_FORMAT_PCM_S8)
            case .u8: sub = Int(SF_FORMAT_PCM_U8)
            case .s16le, .s16be: sub = Int(SF_FORMAT_PCM_16)
            case .s24le, .s24be: sub = Int(SF_FORMAT_PCM_24)
            case .s32le, .s32be: sub = Int(SF_FORMAT_PCM_32)
            case .f32le, .f32be: sub = Int(SF_FORMAT_FLOAT)
            case .f64le, .f64be: sub = Int(SF_FORMAT_DOUBLE)
            }
            let endian = rawValue.hasSuffix("be") ? Int(SF_ENDIAN_BIG) : Int(SF_ENDIAN_LITTLE)
            return Int32(Int(SF_FORMAT_RAW) | sub | endian)
        }

        var bytesPerSample: Int {
            switch self {
            case .s8, .u8: return 1
            case .s16le, .s16be: return 2
            case .s24le, .s24be: return 3
            case .s32le, .s32be, .f32le, .f32be: return 4
            case .f64le, .f64be: return 8
            }
        }
    }

    /// How to open a headerless file: its layout, sample rate and channel count.
    public struct Raw: Sendable {
        public var format: RawFormat
        public var sampleRate: Int
        public var channels: Int
        public init(format: RawFormat, sampleRate: Int, channels: Int = 1) {
            self.format = format; self.sampleRate = sampleRate; self.channels = channels
        }
    }

    /// One file read: its frames, sample rate, channel count and the samples short of a frame.
    public struct Read {
        public var sequence: FrameSequence
        public var sampleRate: Int
        public var channels: Int
        public var droppedSamples: Int
    }

    /// The frames of `path`. `channel` (0-based) picks one channel; nil mixes them all down (their mean).
    public static func frames(_ path: String, frameSize: Int, channel: Int? = nil, raw: Raw? = nil) throws -> Read {
        var info = SF_INFO()
        if let raw {
            // A file with a header is not headerless PCM: its header would be read as samples.
            var probe = SF_INFO()
            if let headed = sf_open(path, Int32(SFM_READ), &probe) {
                sf_close(headed)
                throw HDF5Error("\(path) has an audio header (it opens as \(probe.channels)-channel audio at \(probe.samplerate) Hz); "
                                + "drop --raw-rate and --raw-format, which are for headerless PCM")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let frameBytes = raw.format.bytesPerSample * raw.channels
            guard size % frameBytes == 0 else {
                throw HDF5Error("\(path): \(size) bytes is not a whole number of \(raw.channels)-channel \(raw.format.rawValue) samples "
                                + "(\(frameBytes) bytes each); check --raw-format and --raw-channels")
            }
            info.format = raw.format.sndfileFormat
            info.samplerate = Int32(clamping: raw.sampleRate)
            info.channels = Int32(clamping: raw.channels)
        }
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            let reason = String(cString: sf_strerror(nil))
            if !FileManager.default.fileExists(atPath: path) { throw HDF5Error("\(path): no such file") }
            throw HDF5Error("\(path): cannot read it as audio (\(reason))"
                            + (raw == nil ? "; for headerless PCM give --raw-rate and --raw-format" : ""))
        }
        defer { sf_close(file) }
        let channels = Int(info.channels), rate = Int(info.samplerate)
        guard channels >= 1, rate >= 1 else { throw HDF5Error("\(path): \(channels) channels at \(rate) Hz is not audio") }
        if let channel, channel >= channels {
            throw HDF5Error("\(path): --channel \(channel) but the file has \(channels) channel\(channels == 1 ? "" : "s") (0 to \(channels - 1))")
        }
        let total = Int(info.frames)
        let usable = total / frameSize * frameSize
        guard usable > 0 else { throw HDF5Error("\(path): \(total) samples, fewer than one frame of \(frameSize)") }
        var mono = [Float](repeating: 0, count: usable)
        // Read in blocks of interleaved samples, [block, channels], each row mixed down or picked.
        let block = 1 << 14
        var chunk = [Float](repeating: 0, count: block * channels)
        var done = 0
        while done < usable {
            let want = min(block, usable - done)
            let got = Int(sf_readf_float(file, &chunk, sf_count_t(want)))
            guard got == want else { throw HDF5Error("\(path): the audio ends after \(done + got) of \(total) samples (truncated?)") }
            for i in 0..<got {
                if let channel {
                    mono[done + i] = chunk[i * channels + channel]
                } else {
                    var sum: Float = 0
                    for c in 0..<channels { sum += chunk[i * channels + c] }
                    mono[done + i] = sum / Float(channels)
                }
            }
            done += got
        }
        if let bad = mono.firstIndex(where: { !$0.isFinite }) { throw HDF5Error("\(path): sample \(bad) is \(mono[bad]); audio must be finite") }
        return Read(sequence: FrameSequence(values: mono.map(Double.init), dim: frameSize), sampleRate: rate, channels: channels,
                    droppedSamples: total - usable)
    }
}
