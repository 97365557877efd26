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
        return migrator
    }
}
