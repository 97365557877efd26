import Hummingbird
import Logging

/// Builds the HTTP application: issuer and gateway routes on one router.
public enum PatgateApplication {
    public static func router(services: Services) -> Router<PatgateRequestContext> {
        let router = Router(context: PatgateRequestContext.self)
        router.add(middleware: APIFallbackMiddleware())
        TokenRoutes(services: services).register(on: router)
        DiscoveryRoutes(services: services).register(on: router)
        HealthRoutes(services: services).register(on: router)
        ConsoleRoutes().register(on: router)
        if let issuer = services.issuer {
            IntrospectionRoutes(services: services, issuer: issuer).register(on: router)
            if let management = services.management {
                ManagementAPI(services: services, management: management, issuer: issuer).register(on: router)
            }
        }
        return router
    }

    public static func make(services: Services, logger: Logger) -> some ApplicationProtocol {
        let server = services.config.server
        return Application(
            router: router(services: services),
            configuration: .init(address: .hostname(server.host, port: server.port), serverName: "patgate"),
            logger: logger)
    }
}
