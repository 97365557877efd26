@testable import Curl
import Testing

@Suite("Curl value types")
struct CurlUnitTests {
    @Test func headerLookupIsCaseInsensitive() {
        let response = HTTPResponse(status: 200, headers: [("Content-Type", "a"), ("content-type", "b"), ("X-É", "c")])
        #expect(response.header("CONTENT-TYPE") == "a")
        #expect(response.header("x-É") == "c")
        #expect(response.header("Content-Typ") == nil)
        #expect(response.header("") == nil)
    }

    @Test func durationsBecomePositiveMilliseconds() {
        #expect(Duration.seconds(2).curlMilliseconds == 2000)
        #expect(Duration.milliseconds(1500).curlMilliseconds == 1500)
        #expect(Duration.microseconds(1).curlMilliseconds == 1)
        #expect(Duration.nanoseconds(1_000_001).curlMilliseconds == 2)
        #expect(Duration.seconds(Int64.max / 2).curlMilliseconds == Int(Int32.max))
    }

    @Test func defaultOptionsMatchTheDesign() {
        let options = HTTPClientOptions()
        #expect(options.connectTimeout == .seconds(2))
        #expect(options.totalTimeout == .seconds(5))
        #expect(options.verifyTLS)
        #expect(options.caFile == nil)
        #expect(options.maxResponseBytes == 1 << 20)
        #expect(options.connections == 8)
    }

    @Test func errorDescriptionNamesKindAndCode() {
        let error = CurlError(kind: .timedOut, code: 28, message: "too slow")
        #expect(error.description == "CurlError(timedOut, code 28): too slow")
        #expect(CurlError(kind: .shutdown, message: "x").code == CurlError.notFromLibcurl)
    }

    @Test func schemeCheck() {
        #expect(HTTPRequest.hasHTTPScheme("http://x"))
        #expect(HTTPRequest.hasHTTPScheme("HTTPS://x"))
        #expect(!HTTPRequest.hasHTTPScheme("httpx://x"))
        #expect(!HTTPRequest.hasHTTPScheme("http:x"))
        #expect(!HTTPRequest.hasHTTPScheme(""))
    }
}
