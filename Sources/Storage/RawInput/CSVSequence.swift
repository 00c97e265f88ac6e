import Foundation

/// A CSV file read as one sequence: each row a time step, the chosen columns its values.
public enum CSVSequence {
    /// What to do with an empty or NA/NaN field.
    public enum Missing: String, CaseIterable, Sendable {
        /// Stop with a line naming the file, row and column.
        case refuse
        /// Leave out every row with a missing value.
        case drop
        /// Fill linearly between the nearest present values of the column (the nearest one at the ends).
        case interpolate
    }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    static let missingMarkers: Set<String> = ["", "na", "nan", "null", "none", "n/a"]

    /// Reads `path`. `columns` are names (which needs a header row) or 0-based indices; nil takes
    /// every column. A header is recognised when the first row holds a non-numeric field.
    public static func read(_ path: String, columns: [String]?, missing: Missing) throws -> (sequence: FrameSequence, header: [String], dropped: Int, filled: Int) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Problem(description: "\(path): cannot read the file as UTF-8 text")
        }
        var rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !($0.count == 1 && $0[0].isEmpty) }
        guard let first = rows.first else { throw Problem(description: "\(path): the file is empty") }
        let hasHeader = first.contains { Float($0) == nil && !missingMarkers.contains($0.lowercased()) }
        let header = hasHeader ? first : (0..<first.count).map { "column \($0)" }
        if hasHeader { rows.removeFirst() }
        guard !rows.isEmpty else { throw Problem(description: "\(path): no data rows after the header") }

        let chosen: [Int] = try (columns ?? (0..<header.count).map(String.init)).map { column in
            if hasHeader, let index = header.firstIndex(of: column) { return index }
            if let index = Int(column), index >= 0, index < header.count { return index }
            throw Problem(description: "\(path): no column \(column) (columns: \(header.joined(separator: ", ")))")
        }
        let d = chosen.count
        var values = [Float](repeating: .nan, count: rows.count * d)
        for (r, row) in rows.enumerated() {
            let line = r + (hasHeader ? 2 : 1)
            guard row.count == header.count else {
                throw Problem(description: "\(path):\(line): \(row.count) fields where the file has \(header.count) columns")
            }
            for (j, c) in chosen.enumerated() {
                let field = row[c]
                if missingMarkers.contains(field.lowercased()) {
                    if missing == .refuse {
                        throw Problem(description: "\(path):\(line): missing value in column \(header[c]); "
                                      + "use --missing drop or --missing interpolate to accept gaps")
                    }
                    continue
                }
                guard let value = Float(field), value.isFinite else {
                    throw Problem(description: "\(path):\(line): \"\(field)\" in column \(header[c]) is not a finite number")
                }
                values[r * d + j] = value
            }
        }
        var dropped = 0, filled = 0
        switch missing {
        case .refuse: break
        case .drop:
            let kept = (0..<rows.count).filter { r in (0..<d).allSatisfy { !values[r * d + $0].isNaN } }
            dropped = rows.count - kept.count
            values = kept.flatMap { r in values[r * d..<(r + 1) * d] }
        case .interpolate:
            for j in 0..<d {
                let present = (0..<rows.count).filter { !values[$0 * d + j].isNaN }
                guard let firstPresent = present.first, let lastPresent = present.last else {
                    throw Problem(description: "\(path): column \(header[chosen[j]]) has no values to interpolate from")
                }
                filled += rows.count - present.count
                for r in 0..<firstPresent { values[r * d + j] = values[firstPresent * d + j] }
                for r in lastPresent + 1..<rows.count { values[r * d + j] = values[lastPresent * d + j] }
                // Each gap between neighbouring present rows a < b, filled on the line through them.
                for (a, b) in zip(present, present.dropFirst()) where b > a + 1 {
                    let va = values[a * d + j], vb = values[b * d + j]
                    for r in a + 1..<b { values[r * d + j] = va + (vb - va) * Float(r - a) / Float(b - a) }
                }
            }
        }
        return (FrameSequence(values: values, dim: d), chosen.map { header[$0] }, dropped, filled)
    }
}
