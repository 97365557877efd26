import PatgateCore

/// What the cache keeps of one active answer: one shared, immutable object, so that an entry
/// of the cache's table is a digest, a reference and a deadline (see BENCHMARKS.md: memory).
final class CachedSubject: Sendable {
    let identity: SubjectIdentity

    init(_ identity: SubjectIdentity) {
        self.identity = identity
    }
}

/// Makes identities small before they are cached: only the claims that are read, one shared
/// copy of each distinct scope list, and one string for `sub` and `username` when they agree.
struct SubjectCompactor {
    /// `nil` keeps every claim.
    let keptClaims: Set<String>?
    /// Distinct scope lists seen, bounded so that a confused upstream cannot grow it forever.
    private var scopeLists: [[String]: [String]] = [:]
    static let maxScopeLists = 4096

    init(keptClaims: Set<String>?) {
        self.keptClaims = keptClaims
    }

    mutating func compact(_ identity: SubjectIdentity) -> SubjectIdentity {
        var compact = identity
        if let keptClaims {
            compact.claims = identity.claims.filter { name, _ in
                // ClaimCopy reads `username` from the field when the upstream sent one.
                keptClaims.contains(name) && !(name == "username" && identity.username != nil)
            }
        }
        if let username = identity.username, username == identity.subject {
            compact.username = identity.subject
        }
        if let shared = scopeLists[identity.scopes] {
            compact.scopes = shared
        } else if scopeLists.count < Self.maxScopeLists {
            scopeLists[identity.scopes] = identity.scopes
        }
        return compact
    }
}
