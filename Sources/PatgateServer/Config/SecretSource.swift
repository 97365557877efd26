/// Where the configuration may hold one secret: `<key>`, `<key>_env` (a variable's name) or
/// `<key>_file` (a path). `ConfigParser.resolve` reads it; the value is never echoed.
struct SecretSource {
    let key: String
    let value: String?
    let variable: String?
    let file: String?

    var isSet: Bool {
        value != nil || variable != nil || file != nil
    }
}
