import Foundation
import Logging

/// What the environment tells the tests (`scripts/test` sets these; see README.md, Tests).
public enum TestEnvironment {
    /// `PATGATE_TEST_POSTGRES_URL`: the database the PostgreSQL store suites and the
    /// serve-on-PostgreSQL test use; `nil` (those tests skip) when unset or empty.
    public static let postgresURL: String? = variable("PATGATE_TEST_POSTGRES_URL")

    /// `PATGATE_TEST_POSTGRES_ADMIN_URL`: the role the PostgreSQL login provider's tests use
    /// (CREATEROLE, ADMIN OPTION on `patgate_test_reader`); `nil` when unset or empty.
    public static let postgresAdminURL: String? = variable("PATGATE_TEST_POSTGRES_ADMIN_URL")

    /// An environment variable's value; `nil` when unset or empty.
    public static func variable(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A logger that says nothing below `critical`, for the code under test.
    public static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}
