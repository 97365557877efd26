import Foundation
import JOSE
import OpenSSL
import PatgateAdapters
import PatgateTelemetry

extension Components {
    /// The dates an operator alerts on: when each signing key's file was written (a key has
    /// no expiry of its own; its age says when rotation is due) and the X.509 CA's validity.
    static func recordKeyDates(_ config: PatgateConfig, keys: KeyRing) {
        func modified(_ path: String) -> Int64? {
            let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            return date.map { Int64($0.timeIntervalSince1970) }
        }
        if let time = modified(config.keys.activePath) {
            Meters.signingKey(id: keys.active.keyID, role: "active", createdAt: time)
        }
        for (role, paths) in [("next", config.keys.nextPaths), ("retired", config.keys.retiredPaths)] {
            for path in paths {
                guard let key = try? SigningKey(contentsOfFile: path, algorithm: nil), key.keyID != keys.active.keyID,
                      let time = modified(path) else { continue }
                Meters.signingKey(id: key.keyID, role: role, createdAt: time)
            }
        }
        if let authority = config.credentials.x509?.authority,
           let notBefore = try? authority.certificate.notBefore() {
            Meters.certificateAuthority(notBefore: notBefore, notAfter: authority.notAfter)
        }
    }
}
