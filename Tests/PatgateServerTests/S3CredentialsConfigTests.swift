import Foundation
import PatgateAdapters
import PatgateCore
import PatgateServer
import PatgateTestSupport
import Testing

/// `credentials.s3.*`: off by default, defaults, and every bad setting named at start-up.
@Suite struct S3CredentialsConfigTests {
    func configPath() throws -> String {
        let dir = TemporaryPath.path("patgate-s3")
        return try FirstStart(dataDirectory: dir, port: 8181).run().configPath
    }

    @Test func offUnlessTheSTSEndpointIsSet() async throws {
        let config = try await ConfigLoader.load(file: try configPath(), environment: [:])
        #expect(config.credentials.s3 == nil)
    }

    @Test func defaultsAndPublicSettings() async throws {
        let config = try await ConfigLoader.load(file: try configPath(), environment: [
            "PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://sts.eu-central-1.amazonaws.com",
            "PATGATE_CREDENTIALS_S3_ROLE_ARN": "arn:aws:iam::123456789012:role/patgate-s3",
            "PATGATE_CREDENTIALS_S3_REGION": "eu-central-1",
            "PATGATE_CREDENTIALS_S3_BUCKET": "team-data",
        ])
        let s3 = try #require(config.credentials.s3)
        #expect(s3.roleARN == "arn:aws:iam::123456789012:role/patgate-s3")
        #expect(s3.sessionName == .standard)
        #expect(s3.policy == nil)
        #expect(s3.maxDuration == 3_600 && s3.reuseMargin == 300 && s3.cacheMaxEntries == 10_000)
        #expect(s3.http.totalTimeout == .seconds(5) && s3.http.proxy == nil && s3.http.verifyTLS)
        #expect(s3.publicSettings == [CredentialField("aws_region", "eu-central-1"), CredentialField("s3_bucket", "team-data")])
    }

    @Test func aPolicyFromAFile() async throws {
        let path = try configPath()
        let file = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("s3-policy.json").path
        try #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/{user}/*"}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let config = try await ConfigLoader.load(file: path, environment: [
            "PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "http://127.0.0.1:9000",
            "PATGATE_CREDENTIALS_S3_POLICY_FILE": "s3-policy.json",
        ])
        let policy = try #require(config.credentials.s3?.policy)
        #expect(try policy.render(user: "al\"ice").contains(#"b/al\"ice/*"#))
    }

    @Test func problemsAreNamedByKey() async throws {
        let path = try configPath()
        for (environment, key) in [
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "ftp://sts"], "credentials.s3.sts_endpoint"),
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://user:hunter2@sts"], "credentials.s3.sts_endpoint"),
            (["PATGATE_CREDENTIALS_S3_ROLE_ARN": "arn:aws:iam::1:role/r"], "credentials.s3.sts_endpoint"),
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://sts", "PATGATE_CREDENTIALS_S3_SESSION_NAME": "a b {user}"],
             "credentials.s3.session_name"),
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://sts", "PATGATE_CREDENTIALS_S3_POLICY": "{\"a\": {user}}"],
             "credentials.s3.policy"),
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://sts", "PATGATE_CREDENTIALS_S3_POLICY_FILE": "missing.json"],
             "credentials.s3.policy_file"),
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://sts", "PATGATE_CREDENTIALS_S3_MAX_DURATION_SECONDS": "899"],
             "credentials.s3.max_duration_seconds"),
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://sts", "PATGATE_CREDENTIALS_S3_TIMEOUT_SECONDS": "0"],
             "credentials.s3.timeout_seconds"),
            (["PATGATE_CREDENTIALS_S3_STS_ENDPOINT": "https://sts", "PATGATE_CREDENTIALS_S3_ENDPOINT_URL": "s3.example"],
             "credentials.s3.endpoint_url"),
        ] {
            let error = await #expect(throws: ConfigError.self) {
                _ = try await ConfigLoader.load(file: path, environment: environment)
            }
            #expect(error?.description.contains(key) == true, "\(String(describing: error))")
            #expect(error?.description.contains("hunter2") == false)
        }
    }
}
