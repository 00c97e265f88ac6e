import Foundation

/// Every leaf setting of a configuration as (path, value), paths like `model.hidden` or
/// `training.adam.learningRate`, sorted by path; from its JSON encoding.
func configFields<T: Encodable>(_ value: T, under prefix: String = "") -> [(path: String, value: String)] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let object = (try? JSONSerialization.jsonObject(with: encoder.encode(value))) ?? [:]
    var fields: [(String, String)] = []
    func walk(_ node: Any, _ path: String) {
        if let node = node as? [String: Any] {
            for key in node.keys.sorted() { walk(node[key]!, path.isEmpty ? key : path + "." + key) }
        } else {
            fields.append((path, describe(node)))
        }
    }
    func describe(_ value: Any) -> String {
        if let array = value as? [Any] { return "[" + array.map(describe).joined(separator: ", ") + "]" }
        return "\(value)"
    }
    walk(object, prefix)
    return fields
}

/// The settings in which two configurations differ, as "path: old -> new".
func configDifferences<T: Encodable>(_ old: T, _ new: T, under prefix: String = "") -> [String] {
    let before = Dictionary(configFields(old, under: prefix), uniquingKeysWith: { a, _ in a })
    let after = Dictionary(configFields(new, under: prefix), uniquingKeysWith: { a, _ in a })
    return Set(before.keys).union(after.keys).sorted().compactMap { path in
        let a = before[path] ?? "(none)", b = after[path] ?? "(none)"
        return a == b ? nil : "\(path): \(a) -> \(b)"
    }
}
