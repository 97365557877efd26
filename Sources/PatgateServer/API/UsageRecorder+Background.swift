import Logging
import PatgateCore

extension UsageRecorder {
    /// Records a use of `token` (throttled: at most once a minute per token) without making
    /// the caller wait for the store; a failure is logged, never surfaced.
    func recordInBackground(_ token: PersonalAccessToken, address: String?, logger: Logger) {
        guard claim(token.id) else { return }
        Task {
            do {
                try await record(token, address: address)
            } catch {
                logger.warning("could not record a PAT use", metadata: ["token_id": "\(token.id)"])
            }
        }
    }
}
