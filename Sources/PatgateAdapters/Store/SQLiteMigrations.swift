import GRDB

/// The SQLite schema, as versioned migrations. Never edit a shipped migration; add one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_personal_access_tokens") { db in
            try db.create(table: "personal_access_token") { table in
                table.primaryKey("id", .text)
                table.column("owner", .text).notNull().indexed()
                table.column("name", .text).notNull()
                table.column("scopes", .text).notNull()
                table.column("value_hash", .blob).notNull().unique()
                table.column("created_at", .integer).notNull()
                table.column("expires_at", .integer)
                table.column("revoked_at", .integer)
                table.column("last_used_at", .integer)
            }
        }
        migrator.registerMigration("v2_last_used_address") { db in
            try db.alter(table: "personal_access_token") { table in
                table.add(column: "last_used_address", .text)
            }
            try db.create(index: "personal_access_token_created", on: "personal_access_token", columns: ["created_at", "id"])
        }
        migrator.registerMigration("v3_users") { db in
            try db.create(table: "app_user") { table in
                table.primaryKey("username", .text)
                table.column("display_name", .text).notNull()
                table.column("role", .text).notNull()
                table.column("disabled", .boolean).notNull().defaults(to: false)
                table.column("password_hash", .text).notNull()
                table.column("created_at", .integer).notNull()
            }
        }
        migrator.registerMigration("v4_sessions") { db in
            try db.create(table: "console_session") { table in
                table.primaryKey("id_hash", .blob)
                table.column("username", .text).notNull().indexed()
                table.column("csrf_token", .text).notNull()
                table.column("created_at", .integer).notNull()
                table.column("last_seen_at", .integer).notNull()
                table.column("address", .text)
            }
        }
        migrator.registerMigration("v5_revocation_events") { db in
            // Written by triggers in the revoking transaction itself, whoever revokes (this
            // server, another process such as the CLI): the revocation watcher reads them.
            try db.execute(sql: """
                CREATE TABLE revocation_event (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL, subject TEXT NOT NULL, at INTEGER NOT NULL);
                CREATE TRIGGER revocation_event_token AFTER UPDATE OF revoked_at ON personal_access_token
                WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
                BEGIN
                    INSERT INTO revocation_event (kind, subject, at) VALUES ('token', NEW.id, NEW.revoked_at);
                END;
                CREATE TRIGGER revocation_event_user AFTER UPDATE OF disabled ON app_user
                WHEN NOT OLD.disabled AND NEW.disabled
                BEGIN
                    INSERT INTO revocation_event (kind, subject, at) VALUES ('user', NEW.username, CAST(strftime('%s', 'now') AS INTEGER));
                END;
                """)
        }
        return migrator
    }
}
