import Foundation

/// A 16-bit PCM mono WAV file cut into frames of D consecutive samples (the VRNN paper's audio
/// setup uses D = 200), each sample scaled to [-1, 1); a last incomplete frame is dropped.
public enum WAVFile {
    public static func frames(_ path: String, frameSize: Int) throws -> (sequence: FrameSequence, sampleRate: Int, droppedSamples: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { throw HDF5Error("\(path): cannot read the file") }
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func tag(_ at: Int) -> String { String(decoding: bytes[at..<at + 4], as: UTF8.self) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else { throw HDF5Error("\(path): not a WAV file (no RIFF/WAVE header)") }
        var position = 12, format: (channels: Int, rate: Int, bits: Int, kind: Int)?, samples: ArraySlice<UInt8>?
        while position + 8 <= bytes.count {
            let size = u32(position + 4), body = position + 8
            guard body + size <= bytes.count else { throw HDF5Error("\(path): the WAV file is truncated (chunk \(tag(position)))") }
            switch tag(position) {
            case "fmt ": guard size >= 16 else { throw HDF5Error("\(path): malformed fmt chunk") }
                format = (u16(body + 2), u32(body + 4), u16(body + 14), u16(body))
            case "data": samples = bytes[body..<body + size]
            default: break
            }
            position = body + size + size % 2
        }
        guard let format, let samples else { throw HDF5Error("\(path): the WAV file lacks a fmt or data chunk") }
        guard format.kind == 1, format.bits == 16, format.channels == 1 else {
            throw HDF5Error("\(path): \(format.channels)-channel \(format.bits)-bit WAV (format \(format.kind)); "
                            + "vrnn reads 16-bit PCM mono (convert with e.g. sox in.wav -b 16 -c 1 out.wav)")
        }
        let count = samples.count / 2, frames = count / frameSize
        guard frames > 0 else { throw HDF5Error("\(path): \(count) samples, fewer than one frame of \(frameSize)") }
        let start = samples.startIndex
        let values = (0..<frames * frameSize).map { i -> Float in
            Float(Int16(bitPattern: UInt16(samples[start + 2 * i]) | UInt16(samples[start + 2 * i + 1]) << 8)) / 32768
        }
        return (FrameSequence(values: values, dim: frameSize), format.rate, count - frames * frameSize)
    }

    /// A 16-bit PCM mono WAV file of `samples` (clamped to [-1, 1)), the inverse of `frames`.
    public static func encode(_ samples: [Float], sampleRate: Int) -> Data {
        var data = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * samples.count); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(sampleRate); u32(2 * sampleRate); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(2 * samples.count)
        for s in samples {
            let value = Int16(max(min((s * 32768).rounded(), 32767), -32768))
            u16(Int(UInt16(bitPattern: value)))
        }
        return data
    }
}
