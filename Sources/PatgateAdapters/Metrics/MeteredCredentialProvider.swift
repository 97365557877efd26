import PatgateCore
import PatgateTelemetry

/// A credential provider counted in `patgate_credentials_issued_total{provider,outcome}` and
/// timed in `patgate_credential_duration_seconds{provider}`; otherwise the provider it wraps.
public struct MeteredCredentialProvider: CredentialProvider {
    let wrapped: any CredentialProvider

    public init(_ wrapped: any CredentialProvider) {
        self.wrapped = wrapped
    }

    public var name: String { wrapped.name }
    public var publicSettings: [CredentialField] { wrapped.publicSettings }

    public func prepare(_ request: CredentialRequest) throws(CredentialError) -> (any PreparedCredential)? {
        do {
            return try wrapped.prepare(request).map { Prepared(wrapped: $0, provider: wrapped.name) }
        } catch {
            Meters.credential(provider: wrapped.name, outcome: "rejected", nanoseconds: nil)
            throw error
        }
    }

    struct Prepared: PreparedCredential {
        let wrapped: any PreparedCredential
        let provider: String

        func issue() async throws(CredentialError) -> IssuedCredential {
            let started = Meters.start()
            do {
                let credential = try await wrapped.issue()
                Meters.credential(provider: provider, outcome: "issued", nanoseconds: Meters.nanoseconds(since: started))
                return credential
            } catch {
                Meters.credential(provider: provider, outcome: "failed", nanoseconds: Meters.nanoseconds(since: started))
                throw error
            }
        }

        func withdraw(_ credential: IssuedCredential) async {
            await wrapped.withdraw(credential)
        }
    }
}
