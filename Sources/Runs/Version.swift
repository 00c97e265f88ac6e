/// The version of this build, stored in every checkpoint (`code_version`) and printed by `vrnn --version`.
public enum VRNNVersion {
    public static let current = "0.6.0"
}
