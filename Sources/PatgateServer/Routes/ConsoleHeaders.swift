import HTTPTypes

/// The security headers of every console response (issue 3 contract): a strict CSP with no
/// inline script or style and no framing, plus `nosniff`, `no-referrer` and, for HTML,
/// `no-store` (a page may have shown a token value once).
enum ConsoleHeaders {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
    ].joined(separator: "; ")

    static let csp = HTTPField.Name("Content-Security-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!

    static func fields(html: Bool) -> HTTPFields {
        var headers = HTTPFields()
        headers[csp] = contentSecurityPolicy
        headers[frameOptions] = "DENY"
        headers[contentTypeOptions] = "nosniff"
        headers[referrerPolicy] = "no-referrer"
        headers[crossOriginOpenerPolicy] = "same-origin"
        // Assets are revalidated on every load, so an upgrade never mixes old and new modules.
        headers[.cacheControl] = html ? "no-store" : "no-cache"
        return headers
    }
}
