import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import PatgateServer
import Testing

/// The console's routes on a router of their own, reading the files from this checkout.
@Suite struct ConsoleRoutesTests {
    static let consoleDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/PatgateServer/Console", isDirectory: true)

    func app(_ assets: ConsoleAssets = ConsoleAssets(directory: consoleDirectory)) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        ConsoleRoutes(assets: assets).register(on: router)
        return Application(router: router)
    }

    static func expectSecurityHeaders(_ response: TestResponse, html: Bool) {
        #expect(response.headers[ConsoleHeaders.csp] == ConsoleHeaders.contentSecurityPolicy)
        #expect(response.headers[ConsoleHeaders.frameOptions] == "DENY")
        #expect(response.headers[ConsoleHeaders.contentTypeOptions] == "nosniff")
        #expect(response.headers[ConsoleHeaders.referrerPolicy] == "no-referrer")
        #expect(response.headers[.cacheControl] == (html ? "no-store" : "no-cache"))
    }

    @Test func theContractsPolicyWordForWord() {
        #expect(ConsoleHeaders.contentSecurityPolicy == "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    }

    @Test func consoleWithoutSlashRedirects() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/console", method: .get) { response in
                #expect(response.status == .permanentRedirect)
                #expect(response.headers[.location] == "/console/")
                Self.expectSecurityHeaders(response, html: true)
            }
            try await client.execute(uri: "/console?x=1", method: .get) { response in
                #expect(response.headers[.location] == "/console/")
            }
        }
    }

    @Test func pagesAndAssetsWithTheirTypes() async throws {
        let expected: [(String, String, Bool)] = [
            ("/console/", "text/html; charset=utf-8", true),
            ("/console/admin", "text/html; charset=utf-8", true),
            ("/console/assets/console.js", "text/javascript; charset=utf-8", false),
            ("/console/assets/console.css", "text/css; charset=utf-8", false),
            ("/console/assets/icon.svg", "image/svg+xml", false),
        ]
        try await app().test(.router) { client in
            for (uri, type, html) in expected {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == type, "\(uri)")
                    Self.expectSecurityHeaders(response, html: html)
                }
            }
            try await client.execute(uri: "/console/", method: .get) { response in
                #expect(String(buffer: response.body).contains("<title>Personal Access Tokens"))
            }
        }
    }

    @Test func unknownFilesAreNotFound() async throws {
        try await app().test(.router) { client in
            for uri in ["/console/assets/nope.js", "/console/assets/..%2Findex.html", "/console/assets/", "/console/index"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
        }
    }

    @Test func missingFilesAnswer503NotACrash() async throws {
        try await app(ConsoleAssets(directory: nil)).test(.router) { client in
            try await client.execute(uri: "/console/", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains(ConsoleAssets.bundleName))
            }
        }
    }

    /// Every file in the folder is served: a new kind of file must get a content type here.
    @Test func everyConsoleFileHasAContentType() throws {
        let assets = ConsoleAssets(directory: Self.consoleDirectory)
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: Self.consoleDirectory.path)
            .filter { !$0.hasPrefix(".") && !$0.hasSuffix("assets") }
        #expect(Set(assets.files.keys) == Set(onDisk))
        #expect(assets["index.html"] != nil && assets["admin.html"] != nil)
    }
}
