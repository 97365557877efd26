import HTTPTypes
import Hummingbird
import Synchronization

/// The methods each registered path answers, taken from the router once every route is on it
/// (`Router.routes`), so the table cannot drift from the routes. `MethodNotAllowedMiddleware`
/// consults it only after the router found nothing, never on a matched request.
final class RouteMethods: Sendable {
    private struct Route: Sendable {
        let components: [RouterPath.Element]
        let method: HTTPRequest.Method
    }

    private let routes = Mutex<[Route]>([])

    /// Takes the table from `router`; call after the last route is added.
    func record(_ router: Router<PatgateRequestContext>) {
        let table = router.routes.map { Route(components: Array($0.path), method: $0.method) }
        routes.withLock { $0 = table }
    }

    /// The methods registered for `path`, sorted, or empty when no route has this path.
    func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let found = routes.withLock { routes in
            routes.filter { route in
                route.components.count == parts.count && zip(route.components, parts).allSatisfy { $0 ~= $1 }
            }.map(\.method.rawValue)
        }
        return Set(found).sorted()
    }
}
