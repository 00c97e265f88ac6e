/// The version of this build, stored in every checkpoint (`code_version`) and printed by `vrnn --version`.
enum VRNNVersion {
    static let current = "0.5.0"
}
