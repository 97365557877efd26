import Foundation
import JOSE
import OpenSSL
import Testing

@Suite("concurrent signing")
struct ConcurrencyTests {
    /// Many tasks sign with one shared key at once; every signature verifies.
    @Test(arguments: [SignatureAlgorithm.es256, .edDSA, .ps256])
    func oneKeyManyTasks(algorithm: SignatureAlgorithm) async throws {
        let signer = JWTSigner(key: try SharedKeys.key(algorithm))
        let verifier = JWTVerifier(keys: [signer.key])
        let rounds = algorithm == .ps256 ? 20 : 200
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var failures = 0
                    for round in 0..<rounds {
                        let payload = Array(#"{"task":\#(task),"round":\#(round)}"#.utf8)
                        let token = try signer.sign(payload: payload)
                        if verifier.verify(token) != payload { failures += 1 }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
