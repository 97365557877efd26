import OpenSSL

/// Verifies compact JWS/JWTs (RFC 7515 §7.1) made with known keys, found by `kid`.
///
/// Checks structure, base64url, the header's `alg` against the key's own algorithm
/// (never trusting the token's choice), and the signature. It does not look at
/// claims: `exp`, `aud` and the rest are the caller's job.
public struct JWTVerifier: Sendable {
    private let keysByID: [String: SigningKey]

    /// Creates a verifier over `keys`; if two keys share a key id, the first wins.
    public init(keys: [SigningKey]) {
        var byID: [String: SigningKey] = [:]
        for key in keys where byID[key.keyID] == nil {
            byID[key.keyID] = key
        }
        self.keysByID = byID
    }

    /// The payload bytes of `compact` if it is a well-formed JWS whose header names
    /// one of the keys by `kid`, with that key's `alg` and no `crit`, and whose
    /// signature verifies; otherwise `nil`.
    public func verify(_ compact: String) -> [UInt8]? {
        var compact = compact
        return compact.withUTF8 { verify(UnsafeRawBufferPointer($0)) }
    }

    private func verify(_ token: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let firstDot = token.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let rest = token[(firstDot + 1)...]
        guard let secondDot = rest.firstIndex(of: UInt8(ascii: ".")),
            !token[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else { return nil }

        guard let headerBytes = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[0..<firstDot])),
            let header = JSONHeaderParser.parse(headerBytes),
            let kid = header.strings["kid"], let alg = header.strings["alg"],
            !header.names.contains("crit"),  // no extensions are understood (RFC 7515 §4.1.11)
            let key = keysByID[kid], key.algorithm.rawValue == alg
        else { return nil }

        guard let payload = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])),
            let signature = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])),
            signature.count == key.signatureSize
        else { return nil }

        let signingInput = UnsafeRawBufferPointer(rebasing: token[0..<secondDot])
        return key.privateKey.verify(signature: signature, message: signingInput) ? payload : nil
    }
}
