import ArgumentParser
import Foundation
import PatgateCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads a password: twice without echo on a terminal, or one line from a pipe.
enum PasswordInput {
    static func read(confirm: Bool) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no password on standard input (or use --generate)")
            }
            return line
        }
        let first = try prompt("Password: ")
        if confirm, try prompt("Repeat password: ") != first {
            throw ValidationError("the passwords differ")
        }
        return first
    }

    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password given")
        }
        return line
    }
}

/// Turns the core's refusals into one clear line and exit code 1.
enum CLIErrors {
    static func report<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as UserError {
            FileHandle.standardError.write(Data("patgate: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch let error as PATError {
            FileHandle.standardError.write(Data("patgate: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
