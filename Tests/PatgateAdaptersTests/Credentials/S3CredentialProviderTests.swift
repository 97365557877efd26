import Foundation
import Logging
import PatgateTestSupport
import Testing
@testable import PatgateAdapters
import PatgateCore

/// `prepare` (no side effects: duration, refusal, templates) and `issue` against a closed port.
@Suite struct S3CredentialProviderTests {
    static let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/{user}/*"}]}"#

    func provider(_ endpoint: String = "http://127.0.0.1:1/", logger: Logger = Logger(label: "test")) throws -> S3CredentialProvider {
        var settings = S3CredentialSettings(stsEndpoint: endpoint, roleARN: "arn:aws:iam::1:role/r",
                                            policy: try PolicyTemplate(Self.policy), region: "eu-west-1", bucket: "b")
        settings.http.totalTimeout = .seconds(2)
        settings.http.connectTimeout = .seconds(1)
        return try S3CredentialProvider(settings: settings, logger: logger)
    }

    func request(user: String = "alice", lifetime: Int64 = 600, patExpiresIn: Int64? = nil) throws -> CredentialRequest {
        CredentialRequest(
            subject: SubjectIdentity(subject: "u-1", username: user, scopes: ["credentials"], expiresAt: patExpiresIn.map { 1_000 + $0 }),
            clientID: "ci", accessToken: "eyJ.jwt.sig", issuedAt: 1_000, tokenExpiresAt: 1_000 + lifetime,
            notAfter: patExpiresIn.map { 1_000 + $0 }, form: try FormBody(parsing: Array("scope=credentials".utf8)))
    }

    @Test func preparesTheCall() throws {
        let prepared = try #require(try provider().prepare(request()) as? S3CredentialProvider.Prepared)
        #expect(prepared.duration == 900)
        #expect(prepared.sessionName == "patgate-alice")
        #expect(prepared.policy?.contains("arn:aws:s3:::b/alice/*") == true)
        #expect(prepared.neededUntil == 1_600)
        let body = try provider().client.body(token: prepared.token, sessionName: prepared.sessionName,
                                              policy: nil, duration: prepared.duration)
        #expect(body == "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
            + "&RoleSessionName=patgate-alice&WebIdentityToken=eyJ.jwt.sig&DurationSeconds=900")
        #expect(try provider().publicSettings == [CredentialField("aws_region", "eu-west-1"), CredentialField("s3_bucket", "b")])
    }

    @Test func aPATExpiringTooSoonIsRefusedBeforeAnyCall() throws {
        let error = #expect(throws: CredentialError.self) { try provider().prepare(request(patExpiresIn: 901)) }
        #expect(error?.kind == .notPermitted)
        #expect(error?.message.contains("900") == true)
        // Enough life left: the duration ends before the PAT, counted from the STS's answer.
        let prepared = try #require(try provider().prepare(request(lifetime: 1_000, patExpiresIn: 1_000)) as? S3CredentialProvider.Prepared)
        #expect(prepared.duration == 998)
        #expect(prepared.notAfter == 2_000)
    }

    @Test func aWildcardUserIsRefused() throws {
        #expect(throws: CredentialError.self) { try provider().prepare(request(user: "*")) }
    }

    @Test func aClosedPortIsUnavailable() async throws {
        let prepared = try #require(try provider().prepare(request()))
        let error = await #expect(throws: CredentialError.self) { try await prepared.issue() }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("STS") == true)
        #expect(error?.message.contains("eyJ") == false)
    }

    @Test func aCallItsClientAbandonedIsNotLoggedAsTheSTSsFailure() async throws {
        let capture = LogCapture()
        let provider = try provider(logger: capture.logger("test"))
        // As when the exchange's client leaves while its own STS call runs: the HTTP server
        // cancels the request's task.
        let abandoned = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await provider.client.assumeRole(token: "eyJ.jwt.sig", sessionName: "patgate-alice", policy: nil, duration: 900)
        }
        let error = await #expect(throws: CredentialError.self) { try await abandoned.value }
        #expect(error == .abandoned)
        #expect(capture.lines.isEmpty, "\(capture.lines)")
        // The call shared by every exchange of a key (`S3CredentialCache`) is not cancelled by one
        // that leaves: it meets the closed port, which is logged.
        let prepared = try #require(try provider.prepare(request()))
        let shared = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await prepared.issue()
        }
        let failed = await #expect(throws: CredentialError.self) { try await shared.value }
        #expect(failed != .abandoned && failed?.message.contains("STS") == true)
        #expect(capture.lines.contains { $0.hasPrefix("error STS unreachable") }, "\(capture.lines)")
    }
}
