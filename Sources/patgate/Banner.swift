import Foundation
import PatgateServer

/// What the first start prints: where things are, and how to make a first exchange.
enum Banner {
    static func firstStart(_ summary: FirstStart.Summary, config: PatgateConfig) {
        let dataDir = config.dataDirectory
        let text = """

            patgate: first start, created the embedded default
              config:           \(summary.configPath)
              signing key:      \(summary.keyPath) (ES256, dev key)
              store:            \(config.issuer.sqlitePath)
              clients:          cli (public), ci (confidential, secret in \(summary.ciSecretPath))

            Make a first exchange (in another terminal):
              PAT=$(patgate pat create --data-dir \(dataDir) --user alice --name first-pat --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
              curl -s \(config.endpoint("/token")) -u "ci:$(cat \(summary.ciSecretPath))" \\
                -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \\
                -d subject_token_type=urn:ietf:params:oauth:token-type:pat \\
                --data-urlencode "subject_token=$PAT"
              Keys to verify the JWT: \(config.endpoint("/.well-known/jwks.json"))

            """
        // stdout may be a pipe or file; the server runs on, so write through at once.
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// The one and only time the generated administrator password is shown.
    static func initialAdmin(password: String, config: PatgateConfig) {
        let text = """

            patgate: created the administrator account 'admin' (no user existed).
              one-time password: \(password)
              It is shown only now. Log in at \(config.endpoint("/console/")) and change it with:
                patgate user passwd admin --data-dir \(config.dataDirectory)

            """
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
