import Foundation
import OpenSSL
import PatgateCore

extension ConfigParser {
    /// `leaks.<partner>.*` for each secret-scanning partner: the public keys it signs reports with,
    /// from `public_keys_file` (the partner's `{"public_keys":[{key_identifier, key, …}]}` document)
    /// and from `key_ids` with `keys.<id>.public_key` or `keys.<id>.public_key_file` (README,
    /// "Leaked tokens"). A partner without keys has no endpoint.
    mutating func parseLeaks(issuerEnabled: Bool) -> [PartnerKeys] {
        SecretScanningPartner.allCases.compactMap { partner in
            let keys = parseLeakKeys("leaks.\(partner.rawValue)")
            guard !keys.isEmpty else { return nil }
            guard issuerEnabled else {
                reader.problem("leaks.\(partner.rawValue)", "leak reports revoke the built-in issuer's PATs; set issuer.enabled: true or remove these keys")
                return nil
            }
            return PartnerKeys(partner: partner, keys: keys)
        }
    }

    private mutating func parseLeakKeys(_ base: String) -> [String: PublicKey] {
        var keys: [String: PublicKey] = [:]
        if let file = reader.string("\(base).public_keys_file") {
            keys = loadKeyDocument(path(file), key: "\(base).public_keys_file")
        }
        for id in reader.list("\(base).key_ids") ?? [] {
            let entry = "\(base).keys.\(id)"
            let inline = reader.string("\(entry).public_key"), file = reader.string("\(entry).public_key_file")
            guard id.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                reader.problem("\(base).key_ids", "'\(id)' may only use letters, digits, '-' and '_'")
                continue
            }
            let pem: String
            switch (inline, file) {
            case (let text?, nil):
                pem = text
            case (nil, let file?):
                guard let text = try? String(contentsOfFile: path(file), encoding: .utf8) else {
                    reader.problem("\(entry).public_key_file", "cannot read \(path(file))")
                    continue
                }
                pem = text
            default:
                reader.problem(entry, "give exactly one of public_key (PEM) and public_key_file")
                continue
            }
            do {
                keys[id] = try PublicKey(pem: pem)
            } catch {
                reader.problem(entry, (error as? CryptoError)?.message ?? "\(error)")
            }
        }
        return keys
    }

    /// GitHub's `GET /meta/public_keys/secret_scanning` document, which GitLab's public keys endpoint
    /// shares: every key in it is trusted, current or not (a report signed just before a rotation).
    private mutating func loadKeyDocument(_ file: String, key: String) -> [String: PublicKey] {
        struct Document: Decodable {
            struct Entry: Decodable {
                var identifier: String
                var key: String
                enum CodingKeys: String, CodingKey { case identifier = "key_identifier", key }
            }
            var publicKeys: [Entry]
            enum CodingKeys: String, CodingKey { case publicKeys = "public_keys" }
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            reader.problem(key, "cannot read \(file)")
            return [:]
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: data), !document.publicKeys.isEmpty else {
            reader.problem(key, "\(file) is not a {\"public_keys\":[{\"key_identifier\":…,\"key\":…}]} document with at least one key")
            return [:]
        }
        var keys: [String: PublicKey] = [:]
        for entry in document.publicKeys {
            do {
                keys[entry.identifier] = try PublicKey(pem: entry.key)
            } catch {
                reader.problem(key, "\(file): key \(entry.identifier): \((error as? CryptoError)?.message ?? "\(error)")")
            }
        }
        return keys
    }
}
