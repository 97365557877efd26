import Foundation

/// Where and how to reach PostgreSQL, parsed from a libpq-style URL:
/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require|verify-full`.
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

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
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
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresStoreError(.invalidURL, "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            default:
                throw PostgresStoreError(.invalidURL, "unknown URL parameter '\(item.name)' (only sslmode is understood)")
            }
        }
        // URLComponents decodes `user` and `password`.
        self.init(host: host, port: port, username: user, password: components.password,
                  database: path.isEmpty ? user : path, tls: tls)
    }

    /// `postgres://user@host:port/database?sslmode=…`, never the password.
    public var description: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)@\(bracketed):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    private static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The same server and credentials, another database (tests create and drop their own).
    public func with(database: String) -> PostgresSettings {
        var copy = self
        copy.database = database
        return copy
    }
}
