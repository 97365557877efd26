/// Issues the credentials of every enabled provider for one exchange, all or nothing.
///
/// Every provider first checks the request (`prepare`); only then do they issue, one after
/// the other in configuration order. When one fails, those already issued are withdrawn, so
/// a failed exchange leaves no live database role behind.
public struct CredentialBroker: Sendable {
    /// The scope a client asks for, and the PAT must carry, to receive credentials.
    public static let scope = "credentials"

    public let providers: [any CredentialProvider]
    let audit: any AuditLog
    let now: @Sendable () -> Int64

    public init(providers: [any CredentialProvider], audit: any AuditLog,
                now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.providers = providers
        self.audit = audit
        self.now = now
    }

    public static let none = CredentialBroker(providers: [], audit: NoAuditLog())

    public var isEmpty: Bool { providers.isEmpty }

    /// The non-secret settings of every provider, for `/.well-known/configuration`.
    public var publicSettings: [CredentialField] { providers.flatMap(\.publicSettings) }

    /// The flattened response members: each issuing provider's credential, then its public settings.
    public func issue(_ request: CredentialRequest) async throws(CredentialError) -> [CredentialField] {
        var ready: [(provider: any CredentialProvider, prepared: any PreparedCredential)] = []
        for provider in providers {
            do {
                if let prepared = try provider.prepare(request) { ready.append((provider, prepared)) }
            } catch {
                record(.credentialFailed, request, provider: provider.name, target: nil, detail: error.message)
                throw error
            }
        }
        var issued: [(provider: any CredentialProvider, prepared: any PreparedCredential, credential: IssuedCredential)] = []
        for (provider, prepared) in ready {
            do {
                let credential = try await prepared.issue()
                issued.append((provider, prepared, credential))
            } catch {
                record(.credentialFailed, request, provider: provider.name, target: nil, detail: error.message)
                for done in issued.reversed() {
                    await done.prepared.withdraw(done.credential)
                    record(.credentialWithdrawn, request, provider: done.provider.name, target: done.credential.id,
                           detail: "a later provider failed")
                }
                throw error
            }
        }
        var fields: [CredentialField] = []
        for done in issued {
            record(.credentialIssued, request, provider: done.provider.name, target: done.credential.id,
                   detail: "expires \(RFC3339.format(done.credential.expiresAt))")
            fields += done.credential.fields
            fields += done.provider.publicSettings
        }
        return fields
    }

    private func record(_ kind: AuditEvent.Kind, _ request: CredentialRequest, provider: String, target: String?, detail: String) {
        audit.record(AuditEvent(
            time: now(), kind: kind, actor: request.subject.subject, target: target, address: request.address,
            detail: "provider=\(provider) client=\(request.clientID): \(detail)"))
    }
}
