/// What `patgate_build_info{version}` reports.
public enum BuildInfo {
    public static let version = "0.1.0"
}
