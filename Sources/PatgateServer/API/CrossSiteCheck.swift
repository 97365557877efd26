import Foundation
import HTTPTypes
import Hummingbird

/// Refuses cross-site state-changing requests: an `Origin` other than the server's own
/// (the issuer URL's origin, or the origin of the `Host` the request came to), `Origin: null`,
/// or `Sec-Fetch-Site: cross-site`.
enum CrossSiteCheck {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let origin = HTTPField.Name("Origin")!

    static func check(_ request: Request, issuerURL: String) throws(Problem) {
        let refused = Problem.forbidden("cross_site", "cross-site requests are refused")
        if request.headers[secFetchSite]?.lowercased() == "cross-site" { throw refused }
        guard let origin = request.headers[origin]?.lowercased() else { return }
        if origin == Self.origin(of: issuerURL) { return }
        guard let authority = request.head.authority?.lowercased(),
              let url = URL(string: origin), url.path.isEmpty || url.path == "/",
              let host = url.host, url.scheme == "http" || url.scheme == "https"
        else { throw refused }
        let port = url.port.map { ":\($0)" } ?? ""
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard hostPart + port == authority else { throw refused }
    }

    /// `scheme://host[:port]` of a URL, lower-cased.
    static func origin(of urlString: String) -> String? {
        guard let url = URL(string: urlString), let scheme = url.scheme, let host = url.host else { return nil }
        return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")".lowercased()
    }
}
