/// The PostgreSQL schema, as versioned migrations applied in the order listed.
///
/// Never edit a shipped migration: a database that applied it will not apply it again.
/// Add a new one at the end. Versions sort as text and are recorded in `schema_migrations`.
enum PostgresMigrations {
    struct Migration: Sendable {
        let version: String
        /// One statement each (the extended protocol runs one at a time); constants, never input.
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(version: "0001_personal_access_tokens", statements: [
            """
            CREATE TABLE personal_access_token (
                id text COLLATE "C" PRIMARY KEY,
                owner text NOT NULL,
                name text NOT NULL,
                scopes text[] NOT NULL,
                value_hash bytea NOT NULL UNIQUE,
                created_at bigint NOT NULL,
                expires_at bigint,
                revoked_at bigint,
                last_used_at bigint,
                last_used_address text
            )
            """,
            "CREATE INDEX personal_access_token_owner ON personal_access_token (owner, name)",
            "CREATE INDEX personal_access_token_created ON personal_access_token (created_at, id)",
        ]),
        Migration(version: "0002_users_and_sessions", statements: [
            """
            CREATE TABLE users (
                username text PRIMARY KEY,
                display_name text NOT NULL,
                role text NOT NULL,
                disabled boolean NOT NULL DEFAULT false,
                password_hash text NOT NULL,
                created_at bigint NOT NULL
            )
            """,
            """
            CREATE TABLE sessions (
                id_hash bytea PRIMARY KEY,
                username text NOT NULL,
                csrf_token text NOT NULL,
                created_at bigint NOT NULL,
                last_seen_at bigint NOT NULL,
                address text
            )
            """,
            "CREATE INDEX sessions_username ON sessions (username)",
            "CREATE INDEX sessions_last_seen ON sessions (last_seen_at)",
        ]),
        // Revocations in commit order, written by triggers in the revoking transaction, whoever
        // revokes: every replica's revocation watcher reads them. The advisory lock (held to
        // the commit) makes numbers and commits follow one order, so a reader never skips an
        // event that commits late.
        Migration(version: "0003_revocation_events", statements: [
            """
            CREATE TABLE revocation_event (
                sequence bigserial PRIMARY KEY,
                kind text NOT NULL,
                subject text NOT NULL,
                at bigint NOT NULL
            )
            """,
            """
            CREATE FUNCTION patgate_record_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(\(PostgresMigrator.lockKey) + 1);
                IF TG_TABLE_NAME = 'personal_access_token' THEN
                    INSERT INTO revocation_event (kind, subject, at) VALUES ('token', NEW.id, NEW.revoked_at);
                ELSE
                    INSERT INTO revocation_event (kind, subject, at)
                    VALUES ('user', NEW.username, extract(epoch FROM now())::bigint);
                END IF;
                RETURN NEW;
            END $$
            """,
            """
            CREATE TRIGGER revocation_event_token AFTER UPDATE OF revoked_at ON personal_access_token
            FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
            EXECUTE FUNCTION patgate_record_revocation()
            """,
            """
            CREATE TRIGGER revocation_event_user AFTER UPDATE OF disabled ON users
            FOR EACH ROW WHEN (NOT OLD.disabled AND NEW.disabled)
            EXECUTE FUNCTION patgate_record_revocation()
            """,
        ]),
        // Every recorded revocation notifies `patgate_revocation` with its number; PostgreSQL
        // delivers it at commit, so a listening replica (`PostgresRevocationListener`) reads
        // it at once instead of at its next poll. The payload is only a hint: readers read the
        // table, so a lost notification loses nothing.
        Migration(version: "0004_revocation_notify", statements: [
            """
            CREATE FUNCTION patgate_notify_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(PostgresRevocationListener.channel)', NEW.sequence::text);
                RETURN NEW;
            END $$
            """,
            """
            CREATE TRIGGER revocation_event_notify AFTER INSERT ON revocation_event
            FOR EACH ROW EXECUTE FUNCTION patgate_notify_revocation()
            """,
        ]),
        // Failed logins per account and per address, counted by every replica
        // (`PostgresLoginThrottle`). `forget_at` is when a row no longer counts: the later of the
        // last failure plus the window and the end of its lock. `patgate_login_lock` is the
        // lock a count earns: `lockout` seconds at the limit, doubling per further failure, at
        // most the window (README, "Accounts").
        Migration(version: "0005_login_throttle", statements: [
            """
            CREATE TABLE login_throttle (
                kind text NOT NULL,
                key text COLLATE "C" NOT NULL,
                failures integer NOT NULL,
                failure_limit integer NOT NULL,
                last_failure bigint NOT NULL,
                locked_until bigint NOT NULL,
                forget_at bigint NOT NULL,
                PRIMARY KEY (kind, key)
            )
            """,
            "CREATE INDEX login_throttle_forget ON login_throttle (forget_at)",
            """
            CREATE FUNCTION patgate_login_lock(failures integer, failure_limit integer, at bigint,
                                               lockout bigint, window_seconds bigint)
            RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
                SELECT CASE WHEN failures < failure_limit THEN 0::bigint
                       ELSE at + LEAST(lockout::numeric * power(2::numeric, LEAST(failures - failure_limit, 20)),
                                       GREATEST(window_seconds, lockout))::bigint END
            $$
            """,
        ]),
    ]
}
