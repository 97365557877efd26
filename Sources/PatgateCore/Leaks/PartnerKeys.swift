import OpenSSL

/// The public keys an operator trusts for one partner, by key identifier (the value of the
/// partner's `…-Public-Key-Identifier` header).
public struct PartnerKeys: Sendable {
    public let partner: SecretScanningPartner
    public let keys: [String: PublicKey]

    public init(partner: SecretScanningPartner, keys: [String: PublicKey]) {
        self.partner = partner
        self.keys = keys
    }

    /// Checks that `body`, byte for byte, is signed by the configured key `keyID`: `signature`
    /// is the base64 (RFC 4648 §4) DER ECDSA-SHA-256 signature from the partner's header.
    public func verify(keyID: String?, signature: String?, body: [UInt8]) throws(LeakError) {
        guard let keyID, !keyID.isEmpty, let signature, !signature.isEmpty else {
            throw LeakError(.invalidSignature, "the \(partner.keyIdentifierHeader) and \(partner.signatureHeader) headers are required")
        }
        guard let key = keys[keyID] else {
            throw LeakError(.invalidSignature, "the key named in \(partner.keyIdentifierHeader) is not configured")
        }
        guard let der = Self.base64Decoded(signature), key.verifyECDSASHA256(derSignature: der, message: body) else {
            throw LeakError(.invalidSignature, "the \(partner.signatureHeader) signature does not verify over the body")
        }
    }

    /// Standard base64 with its padding, as both partners send it; `nil` for anything else.
    static func base64Decoded(_ text: String) -> [UInt8]? {
        var characters = Array(text.utf8)
        guard characters.count % 4 == 0, characters.count <= 1_024 else { return nil }
        var padding = 0
        while padding < 2, characters.last == UInt8(ascii: "=") {
            characters.removeLast()
            padding += 1
        }
        for index in characters.indices {
            switch characters[index] {
            case UInt8(ascii: "+"): characters[index] = UInt8(ascii: "-")
            case UInt8(ascii: "/"): characters[index] = UInt8(ascii: "_")
            case UInt8(ascii: "-"), UInt8(ascii: "_"): return nil   // base64url is not what partners send
            default: break
            }
        }
        return Base64URL.decode(String(decoding: characters, as: UTF8.self))
    }
}
