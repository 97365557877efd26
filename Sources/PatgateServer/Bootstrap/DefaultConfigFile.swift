/// The commented YAML written on first start. Every key is in the README's reference.
enum DefaultConfigFile {
    static func render(keyFile: String, port: Int, gatewaySecretSHA256: String, ciSecretSHA256: String) -> String {
        """
        # patgate configuration, written on first start. Paths are relative to this file's folder.
        # Every key can be overridden by an environment variable: server.port <- PATGATE_SERVER_PORT.
        server:
          host: 127.0.0.1
          port: \(port)
          # issuer: https://patgate.example.com   # `iss` and discovery base; default http://host:port

        keys:
          active: \(keyFile)      # signs new tokens (ES256)
          # retired: [keys/old.pem]               # still published in the JWKS after a rotation

        store:
          kind: sqlite                            # or postgres, for several issuer replicas
          sqlite_path: patgate.sqlite
          # postgres_url_env: PATGATE_POSTGRES_URL   # secret: postgres://user:pass@host:5432/db?sslmode=require

        issuer:
          enabled: true
          token_prefix: pgat
          hash_key_file: secrets/pat-hash.key
          scopes: [openid, profile, email, credentials, tokens]   # tokens: manage PATs through the API
          # policy:                                # PAT lifetimes; none by default
          #   max_lifetime_days: 365
          #   default_lifetime_days: 90
          #   expiry_required: false

        sessions:                    # console login sessions
          idle_timeout_seconds: 1800
          absolute_timeout_seconds: 43200

        audit:
          path: audit.jsonl          # one JSON line per event; "-" = standard error

        # The gateway validates PATs over RFC 7662. Without introspection_url it asks the
        # built-in issuer on loopback, through libcurl, exactly as it would a remote upstream.
        # A gateway-only deployment (issuer.enabled: false) in front of a patgate issuer sets
        # revocation_feed_url: https://issuer/revocations to hear revocations within a second.
        upstream:
          auth: basic
          client_id: patgate-gateway
          client_secret_file: secrets/gateway-introspection.secret
          timeout_ms: 5000

        cache:
          ttl_seconds: 60            # a revoked PAT stops working within this time if no revocation channel works
          negative_ttl_seconds: 5
          max_entries: 100000

        policy:
          max_token_lifetime_seconds: 600
          default_audience: [patgate]
          copy_claims: [username=preferred_username]

        clients:
          ids: [cli, ci, patgate-gateway]
          cli:                       # public client: client_id only
            public: true
            audiences: [patgate]
          ci:                        # confidential client; its secret is in secrets/ci.secret
            secret_sha256: \(ciSecretSHA256)
            audiences: [patgate]
          patgate-gateway:           # the gateway's own introspection client
            grants: [introspection]
            secret_sha256: \(gatewaySecretSHA256)

        # Short-lived credentials for exchanges granted the `credentials` scope (README: Credentials).
        # credentials:
        #   x509:                    # on once `patgate ca init` wrote secrets/ca.pem and secrets/ca-key.pem
        #     subject_uri: spiffe://patgate.local/user/{user}
        #   s3:
        #     sts_endpoint: https://sts.eu-central-1.amazonaws.com
        #     role_arn: arn:aws:iam::123456789012:role/patgate-s3
        #     region: eu-central-1
        #     bucket: team-data
        #   postgres:
        #     admin_url_file: secrets/postgres-admin.url   # a role with CREATEROLE
        #     roles: [app_reader]

        # Signed leaked-token reports from secret scanners revoke PATs (README: Leaked tokens).
        # leaks:
        #   github:
        #     public_keys_file: secrets/github-secret-scanning-keys.json   # GitHub's public_keys document

        """
    }
}
