import Testing
@testable import PatgateCore

@Suite struct TokenExchangeRequestTests {
    let grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
    let pat = "subject_token=pgat_x&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Apat"

    func parse(_ text: String) throws(OAuthError) -> TokenExchangeRequest {
        try TokenExchangeRequest(form: FormBody(parsing: Array(text.utf8)))
    }

    func code(_ text: String) -> OAuthError.Code? {
        do { _ = try parse(text); return nil } catch { return error.code }
    }

    @Test func readsAFullRequest() throws {
        let request = try parse("\(grant)&\(pat)&scope=openid+profile&audience=a&audience=b&resource=https%3A%2F%2Fr"
            + "&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt")
        #expect(request.subjectToken == "pgat_x")
        #expect(request.scopes == ["openid", "profile"])
        #expect(request.audiences == ["a", "b"])
        #expect(request.resources == ["https://r"])
        #expect(request.requestedTokenType == TokenTypeURI.jwt)
    }

    @Test func defaultsToAccessTokenAndNoScope() throws {
        let request = try parse("\(grant)&\(pat)")
        #expect(request.requestedTokenType == TokenTypeURI.accessToken)
        #expect(request.scopes == nil)
    }

    @Test func errorsUseTheRightCodes() {
        #expect(code(pat) == .invalidRequest)
        #expect(code("grant_type=client_credentials&\(pat)") == .unsupportedGrantType)
        #expect(code("\(grant)&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Apat") == .invalidRequest)
        #expect(code("\(grant)&subject_token=x&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Asaml2") == .invalidRequest)
        #expect(code("\(grant)&\(pat)&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token") == .invalidRequest)
        #expect(code("\(grant)&\(pat)&scope=a&scope=b") == .invalidRequest)
        #expect(code("\(grant)&\(pat)&subject_token=again") == .invalidRequest)
        #expect(code("\(grant)&\(pat)&actor_token=x&actor_token_type=y") == .invalidRequest)
        #expect(code("\(grant)&\(pat)&scope=bad%22scope") == .invalidScope)
    }
}
