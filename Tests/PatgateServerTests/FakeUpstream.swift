import Foundation
import Hummingbird
import Logging
import PatgateTestSupport
import ServiceLifecycle

/// A misbehaving RFC 7662 upstream on a real port: it answers `POST /introspect` with
/// whatever `behaviour` says (garbage, a 500, a hang), to prove the gateway fails closed.
final class FakeUpstream: Sendable {
    enum Behaviour: Sendable {
        case status(Int, String)
        case hang(Duration)
    }

    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(_ behaviour: Behaviour) async throws {
        let logger = TestEnvironment.quietLogger("fake-upstream")
        port = try LoopbackPort.free()
        let router = Router()
        router.post("introspect") { _, _ -> Response in
            switch behaviour {
            case .status(let code, let body):
                return Response(status: .init(code: code), headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: body)))
            case .hang(let duration):
                try await Task.sleep(for: duration)
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"active":true,"sub":"x"}"#)))
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let group = self.group
        task = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(200))
    }

    var url: String { "http://127.0.0.1:\(port)/introspect" }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
