import HTTPTypes
import Hummingbird

/// The web console: `/console` → `/console/` (login or tokens page), `/console/admin`, and
/// `/console/assets/<file>`; every answer carries the console's security headers.
struct ConsoleRoutes {
    let assets: ConsoleAssets

    init(assets: ConsoleAssets = .bundled) {
        self.assets = assets
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        // The trie router matches `/console` and `/console/` alike: tell them apart here, so
        // relative links on the page always resolve under `/console/`.
        router.get("console") { request, _ in
            guard request.uri.path.hasSuffix("/") else { return Self.redirect(to: "/console/") }
            return serve("index.html")
        }
        router.get("console/admin") { _, _ in serve("admin.html") }
        router.get("console/assets/:file") { _, context in
            serve("assets/" + (context.parameters.get("file") ?? ""))
        }
    }

    func serve(_ path: String) -> Response {
        guard !assets.files.isEmpty else {
            return Self.text(status: .serviceUnavailable,
                             "The console's files were not found beside the patgate binary (\(ConsoleAssets.bundleName)/Console).\n")
        }
        guard let file = assets[path] else { return Self.text(status: .notFound, "Not found.\n") }
        var headers = ConsoleHeaders.fields(html: file.isHTML)
        headers[.contentType] = file.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    static func redirect(to location: String) -> Response {
        var headers = ConsoleHeaders.fields(html: true)
        headers[.location] = location
        return Response(status: .permanentRedirect, headers: headers)
    }

    static func text(status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = ConsoleHeaders.fields(html: true)
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
