import Foundation

/// The settings in which two configurations differ, as "path: old -> new" (paths like
/// `model.hidden` or `training.adam.learningRate`), found by comparing their JSON encodings.
func configDifferences<T: Encodable>(_ old: T, _ new: T, under prefix: String = "") -> [String] {
    func object(_ value: T) -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? JSONSerialization.jsonObject(with: encoder.encode(value))) ?? [:]
    }
    var found: [String] = []
    func walk(_ a: Any, _ b: Any, _ path: String) {
        if let a = a as? [String: Any], let b = b as? [String: Any] {
            for key in Set(a.keys).union(b.keys).sorted() {
                walk(a[key] ?? "(none)", b[key] ?? "(none)", path.isEmpty ? key : path + "." + key)
            }
        } else if "\(a)" != "\(b)" {
            found.append("\(path): \(describe(a)) -> \(describe(b))")
        }
    }
    func describe(_ value: Any) -> String {
        if let array = value as? [Any] { return "[" + array.map(describe).joined(separator: ", ") + "]" }
        return "\(value)"
    }
    walk(object(old), object(new), prefix)
    return found
}
