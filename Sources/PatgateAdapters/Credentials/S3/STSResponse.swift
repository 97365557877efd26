import PatgateCore

/// Temporary credentials from an `AssumeRoleWithWebIdentity` answer.
struct STSCredentials: Sendable, Equatable {
    let accessKeyID: String
    let secretAccessKey: String
    let sessionToken: String
    /// Seconds since the epoch (fractions dropped).
    let expiration: Int64
}

/// An STS error document: `<ErrorResponse><Error><Type/><Code/><Message/></Error>` (AWS,
/// MinIO), or the S3-style `<Error><Code/><Message/></Error>` some gateways send.
struct STSErrorDocument: Sendable, Equatable {
    let type: String?
    let code: String
    let message: String?

    /// The code when it is a plain identifier (`InvalidIdentityToken`), safe to show a client.
    var safeCode: String? {
        let bytes = code.utf8
        guard (1...64).contains(bytes.count), bytes.allSatisfy({ byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }) else { return nil }
        return code
    }

    /// Codes that mean "try again later" although they come with a 4xx status.
    var isTransient: Bool {
        ["Throttling", "ThrottlingException", "IDPCommunicationError", "RequestLimitExceeded",
         "ServiceUnavailable", "SlowDown", "InternalError"].contains(code)
    }
}

/// Reads the two kinds of STS answer.
enum STSResponse {
    static let credentialsPath = "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials/"

    /// The credentials of a 200 answer; throws when any of the four is missing or malformed.
    static func credentials(_ body: [UInt8]) throws(FlatXMLError) -> STSCredentials {
        let document = try FlatXML(body)
        func field(_ name: String) throws(FlatXMLError) -> String {
            guard let value = try document.value(credentialsPath + name), !value.isEmpty else {
                throw FlatXMLError("no \(name) in the answer")
            }
            return value
        }
        let keyID = try field("AccessKeyId")
        // The key id goes to the audit log: only the characters STS key ids use.
        guard keyID.utf8.count <= 128, keyID.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
            throw FlatXMLError("the AccessKeyId is not alphanumeric")
        }
        let secret = try field("SecretAccessKey")
        let token = try field("SessionToken")
        for value in [secret, token] where !value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw FlatXMLError("a secret holds characters other than printable ASCII")
        }
        guard let expiration = RFC3339.parse(try field("Expiration")) else {
            throw FlatXMLError("the Expiration is not an RFC 3339 time")
        }
        return STSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// The error document of a 4xx/5xx answer, `nil` if the body is not one.
    static func error(_ body: [UInt8]) -> STSErrorDocument? {
        guard let document = try? FlatXML(body) else { return nil }
        let prefix: String
        switch document.root {
        case "ErrorResponse": prefix = "ErrorResponse/Error/"
        case "Error": prefix = "Error/"
        default: return nil
        }
        guard let code = try? document.value(prefix + "Code"), !code.isEmpty else { return nil }
        return STSErrorDocument(type: (try? document.value(prefix + "Type")) ?? nil, code: code,
                                message: (try? document.value(prefix + "Message")) ?? nil)
    }
}
