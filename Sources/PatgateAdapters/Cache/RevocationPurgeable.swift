/// A cache of what was derived from PATs, which a revocation must empty: the validation cache
/// and forward auth's JWT cache. The revocation watcher purges every one it was given, by the
/// same events (invariant 5 in docs/ARCHITECTURE.md).
public protocol RevocationPurgeable: AnyObject, Sendable {
    /// Forgets what came from the PATs with these ids (`jti` of the upstream's answer) and from
    /// every PAT of these subjects; returns how many entries were dropped.
    @discardableResult
    func purge(tokenIDs: Set<String>, subjects: Set<String>) -> Int
    /// Forgets everything (the watcher cannot know what was revoked before).
    func purgeAll()
}

extension CachingTokenValidator: RevocationPurgeable {}
