import Logging
import Curl
import Foundation
import PatgateCore
import PatgateServer
import PatgateTestSupport
import Testing

/// Runs the real `patgate` executable that `swift build --build-tests` put next to the tests.
struct PatgateBinary {
    static var path: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("patgate").path
    }

    /// Runs to completion with `input` on standard input; returns (status, stdout, stderr).
    /// The blocking waits happen on a Dispatch thread, never on the (two-thread) cooperative pool.
    static func run(_ arguments: [String], input: String = "") async throws -> (Int32, String, String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, input: input) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], input: String) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Cheap bcrypt for the spawned processes (the tests run on two cores).
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["PATGATE_USERS_BCRYPT_COST": "4"]) { $1 }
    }

    static func temporaryDirectory() -> String {
        TemporaryPath.path("patgate-cli")
    }
}

@Suite struct CommandLineTests {
    @Test func userAddListPasswdAndDisable() async throws {
        let dir = PatgateBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["--data-dir", dir]
        let add = try await PatgateBinary.run(["user", "add", "carol", "--display-name", "Carol C"] + env, input: "first-password-1\n")
        #expect(add.0 == 0, "\(add.2)")
        let admin = try await PatgateBinary.run(["user", "add", "dave", "--admin", "--generate"] + env)
        #expect(admin.0 == 0)
        let generated = try #require(admin.1.split(separator: "\n").first { $0.hasPrefix("password (shown once): ") })
        #expect(generated.count > "password (shown once): ".count + 16)
        #expect(try await PatgateBinary.run(["user", "add", "carol"] + env, input: "another-password\n").0 == 1)
        #expect(try await PatgateBinary.run(["user", "add", "erin"] + env, input: "short\n").0 == 1)

        let list = try await PatgateBinary.run(["user", "list", "--json"] + env)
        let users = try #require(try JSONSerialization.jsonObject(with: Data(list.1.utf8)) as? [[String: Any]])
        #expect(users.compactMap { $0["username"] as? String } == ["carol", "dave"])
        #expect(users.first?["display_name"] as? String == "Carol C")
        #expect(users.last?["role"] as? String == "admin")
        #expect(!list.1.contains("$2"))   // no bcrypt hash

        #expect(try await PatgateBinary.run(["user", "passwd", "carol"] + env, input: "second-password-2\n").0 == 0)
        #expect(try await PatgateBinary.run(["user", "disable", "carol"] + env).0 == 0)
        let text = try await PatgateBinary.run(["user", "list"] + env).1
        #expect(text.contains("carol") && text.contains("disabled"))

        // The stored hash really is the new password's.
        let config = try await ConfigLoader.load(file: dir + "/patgate.yaml")
        let stores = try await Components.openStores(config.issuer, logger: Logger(label: "test"))
        let user = try #require(try await stores.users.find(username: "carol"))
        let hasher = BcryptPasswordHasher(cost: 4)
        #expect(try await hasher.verify("second-password-2", hash: user.passwordHash))
        #expect(try await !hasher.verify("first-password-1", hash: user.passwordHash))
        let audit = try String(contentsOfFile: dir + "/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("user.password_changed") && !audit.contains("second-password-2"))
    }

    @Test func patCreateOnlyForAnExistingEnabledUser() async throws {
        let dir = PatgateBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["--data-dir", dir]
        #expect(try await PatgateBinary.run(["user", "add", "carol", "--generate"] + env).0 == 0)
        #expect(try await PatgateBinary.run(["user", "add", "mallory", "--generate"] + env).0 == 0)
        #expect(try await PatgateBinary.run(["user", "disable", "mallory"] + env).0 == 0)
        for user in ["nobody", "mallory"] {
            let refused = try await PatgateBinary.run(["pat", "create", "--user", user, "--name", "ci", "--json"] + env)
            #expect(refused.0 == 1, "\(refused.2)")
            #expect(refused.1.isEmpty)
            #expect(refused.2.contains("'\(user)'"), "\(refused.2)")
            #expect(try await PatgateBinary.run(["pat", "list", "--user", user, "--json"] + env).1
                .trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        }
        let created = try await PatgateBinary.run(["pat", "create", "--user", "carol", "--name", "ci", "--json"] + env)
        #expect(created.0 == 0, "\(created.2)")
        #expect(created.1.contains("\"owner\":\"carol\""))
    }

    @Test func firstStartCreatesAnAdminAndPrintsItsPasswordOnce() async throws {
        let dir = PatgateBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try await Self.serveBriefly(dir)
        let line = try #require(first.split(separator: "\n").first { $0.contains("one-time password: ") })
        let password = String(try #require(line.split(separator: " ").last))
        #expect(first.contains("patgate user passwd admin"))
        let second = try await Self.serveBriefly(dir)
        #expect(!second.contains("one-time password"))
        #expect(!second.contains(password))

        let config = try await ConfigLoader.load(file: dir + "/patgate.yaml")
        let admin = try #require(try await Components.openStores(config.issuer, logger: Logger(label: "test")).users.find(username: "admin"))
        #expect(admin.role == .admin)
        let hasher = BcryptPasswordHasher(cost: 4)
        #expect(try await hasher.verify(password, hash: admin.passwordHash))
    }

    @Test func checkConfigRefusesAMisspelledKey() async throws {
        let dir = PatgateBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let summary = try FirstStart(dataDirectory: dir).run()
        let text = try String(contentsOfFile: summary.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "ttl_seconds: 60", with: "ttl_secnds: 5")
            .write(toFile: summary.configPath, atomically: true, encoding: .utf8)
        let (status, _, error) = try await PatgateBinary.run(["check-config", "--data-dir", dir])
        #expect(status == 1)
        #expect(error.contains("cache.ttl_secnds: unknown key (did you mean cache.ttl_seconds?)"), "\(error)")
    }

    @Test func patNamesRefuseControlCharacters() async throws {
        let dir = PatgateBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["a\u{1B}[31mb", "a\nb", "a\u{7F}b", "a\u{85}b"] {
            let (status, out, error) = try await PatgateBinary.run(["pat", "create", "--user", "admin", "--name", name, "--data-dir", dir])
            #expect(status != 0 && out.isEmpty, "\(name.debugDescription)")
            #expect(error.contains("no control characters"), "\(error)")
        }
        let list = try await PatgateBinary.run(["pat", "list", "--data-dir", dir])
        #expect(!list.1.contains("\u{1B}"))
    }

    /// Starts `patgate serve` on a free port, waits until it answers, stops it; returns its stdout.
    static func serveBriefly(_ dir: String) async throws -> String {
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PatgateBinary.path)
        process.arguments = ["serve", "--data-dir", dir, "--port", String(port)]
        process.environment = PatgateBinary.environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let http = try Curl.HTTPClient(options: .init(connections: 1))
        defer { http.shutdown() }
        var ready = false
        for _ in 0..<400 where !ready {
            ready = (try? await http.perform(CurlRequest(method: "GET", url: "http://127.0.0.1:\(port)/healthz")).status) == 200
            if !ready { try await Task.sleep(for: .milliseconds(25)) }
        }
        process.interrupt()
        #expect(ready)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            }
        }
    }
}
