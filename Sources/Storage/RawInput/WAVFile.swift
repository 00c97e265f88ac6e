import Foundation

/// The WAV files `vrnn sample` writes: 16-bit PCM mono (AudioFile reads every format).
public enum WAVFile {
    /// A 16-bit PCM mono WAV file of `samples` (clamped to [-1, 1)).
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
