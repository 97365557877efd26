import JSON
import OpenSSL

/// Produces compact JWS/JWTs (RFC 7515 §7.1) with one key.
///
/// The protected header `{"alg":…,"typ":…,"kid":…}` is built and base64url-encoded
/// once at init; each `sign` encodes the payload, signs, and writes the token into
/// a single pre-sized buffer.
public struct JWTSigner: Sendable {
    /// The key that signs.
    public let key: SigningKey
    /// `base64url(header) + "."`.
    private let headerPrefix: [UInt8]

    /// Prepares a signer; `type` is the header's `typ` (RFC 9068 access tokens use `at+jwt`).
    public init(key: SigningKey, type: String = "at+jwt") {
        self.key = key
        var header = JSONWriter()
        header.beginObject()
        header.member("alg", key.algorithm.rawValue)
        header.member("typ", type)
        header.member("kid", key.keyID)
        header.endObject()
        self.headerPrefix = Array(Base64URL.encode(header.bytes).utf8) + [UInt8(ascii: ".")]
    }

    /// Signs `payload` (the UTF-8 JSON claims) and returns `header.payload.signature`.
    /// - Throws: `CryptoError` `.signingFailed`.
    public func sign(payload: [UInt8]) throws -> String {
        let signingInputLength = headerPrefix.count + Base64URL.encodedLength(payload.count)
        let signatureSize = key.signatureSize
        let total = signingInputLength + 1 + Base64URL.encodedLength(signatureSize)
        return try withUnsafeTemporaryAllocation(byteCount: signatureSize, alignment: 1) { signature in
            try String(unsafeUninitializedCapacity: total) { buffer in
                let output = UnsafeMutableRawBufferPointer(buffer)
                headerPrefix.withUnsafeBytes { output.copyMemory(from: $0) }
                let payloadOutput = UnsafeMutableRawBufferPointer(rebasing: output[headerPrefix.count...])
                payload.withUnsafeBytes { _ = Base64URL.encode($0, into: payloadOutput) }
                let signingInput = UnsafeRawBufferPointer(rebasing: output[0..<signingInputLength])
                let length = try key.privateKey.sign(signingInput, into: signature)
                output[signingInputLength] = UInt8(ascii: ".")
                let signatureOutput = UnsafeMutableRawBufferPointer(rebasing: output[(signingInputLength + 1)...])
                let written = Base64URL.encode(UnsafeRawBufferPointer(rebasing: signature[0..<length]), into: signatureOutput)
                return signingInputLength + 1 + written
            }
        }
    }
}
