import CSV
import Foundation

/// A CSV file read as one sequence: each row a time step, the chosen columns its values. The file
/// is parsed by yaslab/CSV.swift a row at a time (quoted fields, quoted line breaks, CRLF).
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

    /// One file read: its sequence, the names of the columns used and of those left out as not
    /// numbers, and how many missing values were dropped or filled.
    public struct Read {
        public var sequence: FrameSequence
        public var header: [String]
        public var skipped: [String]
        public var dropped: Int
        public var filled: Int
    }

    static let missingMarkers: Set<String> = ["", "na", "nan", "null", "none", "n/a"]

    static func isMissing(_ field: String) -> Bool { missingMarkers.contains(field.lowercased()) }

    /// Reads `path`. `columns` are names (which needs a header row) or 0-based indices; nil takes
    /// every column whose first value is a number or missing, and leaves the others (dates,
    /// labels) out, naming them in `skipped`. A header is recognised when the first row holds a
    /// field that is neither a number nor a missing marker. Line numbers in messages count every
    /// line of the file, blank ones and those inside quoted fields included.
    public static func read(_ path: String, columns: [String]?, missing: Missing, delimiter: UnicodeScalar = ",") throws -> Read {
        guard let stream = InputStream(fileAtPath: path), FileManager.default.isReadableFile(atPath: path) else {
            throw Problem(description: "\(path): cannot open the file")
        }
        let reader: CSVReader
        do { reader = try CSVReader(stream: stream, hasHeaderRow: false, trimFields: true, delimiter: delimiter) } catch {
            throw Problem(description: "\(path): cannot read the file as CSV (\(error))")
        }
        var nextLine = 1
        /// The next row that is not a blank line, with the line it starts on.
        func nextRow() throws -> (row: [String], line: Int)? {
            while let row = reader.next() {
                let line = nextLine
                if let error = reader.error as? CSVError, case .unicodeDecoding = error {
                    throw Problem(description: "\(path):\(line): not UTF-8 text; save the file as UTF-8")
                }
                nextLine += 1 + row.reduce(0) { $0 + $1.reduce(0) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 } }
                if row.count == 1 && row[0].isEmpty { continue }
                return (row, line)
            }
            // CSV.swift reports the end of a file stream as .cannotReadFile (Foundation's stream says
            // bytes are available until a read returns none); any other error is real.
            if let error = reader.error, !(error is CSVError && "\(error)" == "\(CSVError.cannotReadFile)") {
                if let error = error as? CSVError, case .unicodeDecoding = error {
                    throw Problem(description: "\(path):\(nextLine): not UTF-8 text; save the file as UTF-8")
                }
                throw Problem(description: "\(path):\(nextLine): cannot read the file as CSV (\(error))")
            }
            return nil
        }

        guard let first = try nextRow() else { throw Problem(description: "\(path): the file is empty") }
        if first.row.count == 1, let other = [";", "\t", "|"].first(where: { first.row[0].contains($0) && String(delimiter) != $0 }) {
            let shown = other == "\t" ? "tab" : other
            throw Problem(description: "\(path): its first line is one field holding \(shown) characters; if \(shown) separates the fields, "
                          + "give --delimiter \(other == "\t" ? "tab" : "'\(other)'")")
        }
        let hasHeader = first.row.contains { Double($0) == nil && !isMissing($0) }
        let header = hasHeader ? first.row : (0..<first.row.count).map { "column \($0)" }
        guard let firstData = hasHeader ? try nextRow() : first else { throw Problem(description: "\(path): no data rows after the header") }

        let numeric = (0..<header.count).filter { $0 < firstData.row.count && (Double(firstData.row[$0]) != nil || isMissing(firstData.row[$0])) }
        let chosen: [Int] = try columns.map { names in
            try names.map { column in
                let named = hasHeader ? header.indices.filter { header[$0] == column } : []
                let indexed = Int(column).flatMap { $0 >= 0 && $0 < header.count ? $0 : nil }
                if named.count > 1 {
                    throw Problem(description: "\(path): \(named.count) columns are named \(column); rename them, or choose by 0-based index")
                }
                if let name = named.first, let indexed, indexed != name {
                    throw Problem(description: "\(path): --columns \(column) names the column at index \(name) and is also the index of column "
                                  + "\(header[indexed]); rename the column")
                }
                if let index = named.first ?? indexed { return index }
                throw Problem(description: "\(path): no column \(column) (columns: \(header.joined(separator: ", ")))")
            }
        } ?? numeric
        guard !chosen.isEmpty else {
            throw Problem(description: "\(path): no column holds numbers (columns: \(header.joined(separator: ", "))); choose columns with --columns")
        }
        let d = chosen.count
        var values: [Double] = [], rows = 0
        var current: (row: [String], line: Int)? = firstData
        while let (row, line) = current {
            guard row.count == header.count else {
                throw Problem(description: "\(path):\(line): \(row.count) fields where the file has \(header.count) columns")
            }
            for c in chosen {
                let field = row[c]
                if isMissing(field) {
                    if missing == .refuse {
                        throw Problem(description: "\(path):\(line): missing value in column \(header[c]); "
                                      + "use --missing drop or --missing interpolate to accept gaps")
                    }
                    values.append(.nan)
                    continue
                }
                guard let value = Double(field), value.isFinite else {
                    let choose = columns == nil ? "; leave the column out by naming the columns to use with --columns" : ""
                    throw Problem(description: "\(path):\(line): \"\(field)\" in column \(header[c]) is not a finite number\(choose)")
                }
                values.append(value)
            }
            rows += 1
            current = try nextRow()
        }
        let (filledValues, dropped, filled): ([Double], Int, Int)
        do { (filledValues, dropped, filled) = try fill(values, rows: rows, dim: d, missing: missing) { header[chosen[$0]] } } catch let problem as Problem {
            throw Problem(description: "\(path): \(problem)")
        }
        return Read(sequence: FrameSequence(values: filledValues, dim: d), header: chosen.map { header[$0] },
                    skipped: columns == nil ? (0..<header.count).filter { !numeric.contains($0) }.map { header[$0] } : [],
                    dropped: dropped, filled: filled)
    }

    /// The missing (NaN) values of `values` [rows, d] dropped or filled as `missing` says.
    static func fill(_ values: [Double], rows: Int, dim d: Int, missing: Missing, name: (Int) -> String) throws -> ([Double], dropped: Int, filled: Int) {
        var values = values
        switch missing {
        case .refuse:
            return (values, 0, 0)
        case .drop:
            let kept = (0..<rows).filter { r in (0..<d).allSatisfy { !values[r * d + $0].isNaN } }
            return (kept.flatMap { r in values[r * d..<(r + 1) * d] }, rows - kept.count, 0)
        case .interpolate:
            var filled = 0
            for j in 0..<d {
                let present = (0..<rows).filter { !values[$0 * d + j].isNaN }
                guard let firstPresent = present.first, let lastPresent = present.last else {
                    throw Problem(description: "column \(name(j)) has no values to interpolate from")
                }
                filled += rows - present.count
                for r in 0..<firstPresent { values[r * d + j] = values[firstPresent * d + j] }
                for r in lastPresent + 1..<rows { values[r * d + j] = values[lastPresent * d + j] }
                // Each gap between neighbouring present rows a < b, filled on the line through them.
                for (a, b) in zip(present, present.dropFirst()) where b > a + 1 {
                    let va = values[a * d + j], vb = values[b * d + j]
                    for r in a + 1..<b { values[r * d + j] = va + (vb - va) * Double(r - a) / Double(b - a) }
                }
            }
            return (values, 0, filled)
        }
    }
}
