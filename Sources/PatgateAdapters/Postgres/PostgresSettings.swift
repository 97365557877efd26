import Foundation

/// Where and how to reach PostgreSQL, parsed from a libpq-style URL:
/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require|verify-full`,
/// optionally `&search_path=schema` to keep patgate's tables in a schema of their own.
///
/// The password is kept for the connection only: `description` leaves it out, and no parse
/// error repeats the URL.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// As libpq: `prefer` and `require` encrypt without verifying the server's certificate;
    /// `verify-full` verifies it against the system's CAs and checks the host name.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// The schema the tables live in (it must exist); `nil`: the server's default, `public`.
    public var searchPath: String?

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String,
                tls: TLSMode = .prefer, searchPath: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.searchPath = searchPath
    }

    /// Parses a `postgres://` or `postgresql://` URL; user names, passwords and database names
    /// may be percent-encoded. The database defaults to the user name, the port to 5432.
    public init(url text: String) throws(PostgresStoreError) {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw PostgresStoreError(.invalidURL, "expected postgres://user:password@host:port/database")
        }
        // Foundation keeps the brackets of an IPv6 host on Linux; connecting needs it bare.
        guard let host = components.host.map(Self.unbracketed), !host.isEmpty else {
            throw PostgresStoreError(.invalidURL, "the URL names no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStoreError(.invalidURL, "the URL names no user")
        }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else {
            throw PostgresStoreError(.invalidURL, "the port must be from 1 to 65535")
        }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else {
            throw PostgresStoreError(.invalidURL, "the path must be a single database name")
        }
        var tls = TLSMode.prefer
        var searchPath: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresStoreError(.invalidURL, "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "search_path":
                guard let schema = item.value, Self.isPlainIdentifier(schema) else {
                    throw PostgresStoreError(.invalidURL, "search_path must be one schema name of a-z, 0-9 and _")
                }
                searchPath = schema
            default:
                throw PostgresStoreError(.invalidURL, "unknown URL parameter '\(item.name)' (sslmode and search_path are understood)")
            }
        }
        // URLComponents decodes `user` and `password`.
        self.init(host: host, port: port, username: user, password: components.password,
                  database: path.isEmpty ? user : path, tls: tls, searchPath: searchPath)
    }

    /// `postgres://user@host:port/database?sslmode=…`, never the password.
    public var description: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let schema = searchPath.map { "&search_path=\($0)" } ?? ""
        return "postgres://\(username)@\(bracketed):\(port)/\(database)?sslmode=\(tls.rawValue)\(schema)"
    }

    /// The startup parameters that select `searchPath` (a setting, not SQL).
    var startupParameters: [(String, String)] {
        searchPath.map { [("search_path", $0)] } ?? []
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 63 && name.utf8.first.map { !(0x30...0x39).contains($0) } == true
            && name.utf8.allSatisfy { $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }
    }

    private static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The same server and credentials, another schema (tests create and drop their own).
    public func with(searchPath: String) -> PostgresSettings {
        var copy = self
        copy.searchPath = searchPath
        return copy
    }
}
