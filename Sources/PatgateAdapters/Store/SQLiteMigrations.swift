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
        return migrator
    }
}
