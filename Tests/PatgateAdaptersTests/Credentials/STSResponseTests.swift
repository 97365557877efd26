import Testing
@testable import PatgateAdapters
import PatgateCore

/// The STS answer reader: AWS/MinIO/moto success documents, error documents, and garbage.
@Suite struct STSResponseTests {
    static let success = """
        <?xml version="1.0" encoding="UTF-8"?>
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>alice</SubjectFromWebIdentityToken>
            <Audience>sts.amazonaws.com</Audience>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/s3-users/patgate-alice</Arn>
              <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:patgate-alice</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
              <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
              <Expiration>2026-11-29T06:00:00Z</Expiration>
              <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
            <!-- a comment -->
            <Provider>www.amazon.com</Provider>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    func credentials(_ text: String) throws -> STSCredentials {
        try STSResponse.credentials(Array(text.utf8))
    }

    @Test func readsTheAWSExample() throws {
        let read = try credentials(Self.success)
        #expect(read == STSCredentials(
            accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
            sessionToken: "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE", expiration: RFC3339.parse("2026-11-29T06:00:00Z")!))
    }

    @Test func readsMotoFractionsPrefixesEntitiesAndSelfClosingElements() throws {
        let text = """
            <sts:AssumeRoleWithWebIdentityResponse xmlns:sts='x'><sts:AssumeRoleWithWebIdentityResult><Empty/>\
            <sts:Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>a&amp;b&lt;&#x3E;&#61;&quot;&apos;</SecretAccessKey>\
            <SessionToken>t/+=</SessionToken><Expiration>2026-11-29T05:29:00.635529Z</Expiration></sts:Credentials>\
            </sts:AssumeRoleWithWebIdentityResult></sts:AssumeRoleWithWebIdentityResponse>
            """
        let read = try credentials(text)
        #expect(read.secretAccessKey == "a&b<>=\"'")
        #expect(read.expiration == RFC3339.parse("2026-11-29T05:29:00Z"))
        #expect(read.sessionToken == "t/+=")
    }

    @Test func readsErrorDocuments() {
        let aws = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
                <Message>Couldn&apos;t retrieve verification key from your identity provider</Message></Error>
              <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
            </ErrorResponse>
            """
        #expect(STSResponse.error(Array(aws.utf8)) == STSErrorDocument(
            type: "Sender", code: "InvalidIdentityToken", message: "Couldn't retrieve verification key from your identity provider"))
        let s3Style = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        let document = STSResponse.error(Array(s3Style.utf8))
        #expect(document == STSErrorDocument(type: nil, code: "AccessDenied", message: "Access Denied"))
        #expect(document?.safeCode == "AccessDenied")
        #expect(document?.isTransient == false)
        #expect(STSResponse.error(Array("<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>".utf8))?.isTransient == true)
        #expect(STSErrorDocument(type: nil, code: "<script>", message: nil).safeCode == nil)
    }

    @Test func anErrorDocumentIsNotCredentials() {
        #expect(throws: FlatXMLError.self) {
            try credentials("<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>")
        }
    }

    @Test(arguments: [
        "", "not xml", "<html><body>502 Bad Gateway</body></html>", "{\"Credentials\":{}}",
        // truncated, mismatched, two roots, text outside, mixed content
        String(STSResponseTests.success.prefix(400)),
        "<A><B>x</C></A>", "<A/><B/>", "<A>x</A>y", "<A>x<B>y</B></A>",
        // entity expansion and CDATA are refused, not interpreted
        "<!DOCTYPE A [<!ENTITY e \"x\">]><A>&e;</A>",
        "<A><![CDATA[x]]></A>", "<A>&unknown;</A>", "<A>a & b</A>", "<A>&#0;</A>", "<A>&#xD800;</A>", "<A attr=x/>",
    ])
    func garbageIsRefused(_ text: String) {
        #expect(throws: FlatXMLError.self) { try credentials(text) }
        #expect(STSResponse.error(Array(text.utf8)) == nil)
    }

    @Test func missingDuplicatedOrMalformedFieldsAreRefused() {
        func document(_ fields: String) -> String {
            "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>\(fields)"
                + "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
        }
        let complete = "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
            + "<Expiration>2026-11-29T06:00:00Z</Expiration>"
        #expect((try? credentials(document(complete))) != nil)
        for broken in [
            complete.replacing("<SessionToken>t</SessionToken>", with: ""),
            complete.replacing("<SessionToken>t</SessionToken>", with: "<SessionToken></SessionToken>"),
            complete + "<AccessKeyId>ASIA2</AccessKeyId>",
            complete.replacing("ASIA1", with: "ASIA 1"),
            complete.replacing("<SecretAccessKey>s<", with: "<SecretAccessKey>s\u{e9}<"),
            complete.replacing("2026-11-29T06:00:00Z", with: "tomorrow"),
        ] {
            #expect(throws: FlatXMLError.self) { try credentials(document(broken)) }
        }
    }

    @Test func deepOrHugeDocumentsAreRefused() {
        let deep = String(repeating: "<A>", count: 40) + String(repeating: "</A>", count: 40)
        #expect(throws: FlatXMLError.self) { try FlatXML(Array(deep.utf8)) }
        let wide = "<A>" + String(repeating: "<B/>", count: 1_000) + "</A>"
        #expect(throws: FlatXMLError.self) { try FlatXML(Array(wide.utf8)) }
    }

    @Test func logLinesDropTheTokenAndControlCharacters() {
        let line = STSClient.loggable("bad token eyJ.abc.def\nnext line", token: "eyJ.abc.def")
        #expect(line == "bad token [token]?next line")
        #expect(STSClient.loggable(String(repeating: "x", count: 1_000), token: "t").count == 301)
    }
}
