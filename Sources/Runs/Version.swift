/// The version of this build, stored in every checkpoint (`code_version`) and printed by `vrnn --version`.
public enum VRNNVersion {
    public static let current = "0.9.2"

    /// Whether `version` ("0.6.0"; anything unreadable counts as old) comes before `other`.
    static func isBefore(_ version: String, _ other: String) -> Bool {
        func parts(_ v: String) -> [Int] { v.split(separator: ".").map { Int($0) ?? -1 } }
        let a = parts(version), b = parts(other)
        guard a.count == 3, !a.contains(-1) else { return true }
        return a.lexicographicallyPrecedes(b)
    }
}
