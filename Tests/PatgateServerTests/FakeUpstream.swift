import Foundation
import Hummingbird
import Logging
import PatgateTestSupport
import ServiceLifecycle

/// A misbehaving RFC 7662 upstream on a real port: it answers `POST /introspect` (and a
/// revocation feed's `GET /revocations`) with whatever `behaviour` says (garbage, a 500, a
/// hang), to prove the gateway fails closed.
final class FakeUpstream: Sendable {
    enum Behaviour: Sendable {
        case status(Int, String)
        case hang(Duration)
        /// This answer, after this wait.
        case slow(Duration, String)
    }

    let port: Int

    /// Runs the upstream for `body`'s scope, then stops it and waits until it has stopped.
    static func with<Result>(_ behaviour: Behaviour, _ body: (FakeUpstream) async throws -> Result) async throws -> Result {
        let logger = TestEnvironment.quietLogger("fake-upstream")
        let upstream = FakeUpstream(port: try LoopbackPort.free())
        let router = Router()
        // The same answer for the RFC 7662 endpoint and for a revocation feed.
        let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            switch behaviour {
            case .status(let code, let body):
                return Response(status: .init(code: code), headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: body)))
            case .hang(let duration):
                try await Task.sleep(for: duration)
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"active":true,"sub":"x"}"#)))
            case .slow(let duration, let body):
                try await Task.sleep(for: duration)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
        }
        router.post("introspect", use: answer)
        router.get("revocations", use: answer)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: upstream.port)),
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { running in
            running.addTask { try await group.run() }
            defer { running.cancelAll() }
            try await Task.sleep(for: .milliseconds(200))
            let result = try await body(upstream)
            await group.triggerGracefulShutdown()
            return result
        }
    }

    private init(port: Int) {
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)/introspect" }
}
