// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "patgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "patgate", targets: ["patgate"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["YAML"]),
        // Already a dependency of swift-configuration's YAML trait; patgate lists a file's keys with it.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Test-only: an independent signature verifier for the cross-checks.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C libraries: one system-library target each, wrapped by exactly one Swift module.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "Curl",
            dependencies: ["CCurl", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        // OpenSSL: keys, signing, digests, HMAC, random, constant time, X.509 and SCRAM; the
        // only importer of CLibcrypto, and no C type in its API.
        .target(name: "OpenSSL", dependencies: ["CLibcrypto"], swiftSettings: strict),

        // Pure Swift, no dependencies: the JSON writer and the one JSON scanner.
        .target(name: "JSON", swiftSettings: strict),
        // JOSE: JWS/JWT signing and verification, JWK, JWKS, on top of OpenSSL.
        .target(name: "JOSE", dependencies: ["OpenSSL", "JSON"], swiftSettings: strict),

        // Core: RFC 8693 rules, policy, the PAT model and the ports. No NIO, no HTTP, no C.
        .target(name: "PatgateCore", dependencies: ["JOSE", "JSON", "OpenSSL"], swiftSettings: strict),

        // Telemetry: the process's metrics (swift-metrics over swift-prometheus's registry), the
        // `Meters` every module records through, and the process gauges read from /proc/self.
        .target(
            name: "PatgateTelemetry",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // Adapters implement the core's ports.
        .target(
            name: "PatgateAdapters",
            dependencies: [
                "PatgateCore", "Curl", "OpenSSL", "PatgateTelemetry",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // Server: routes, configuration, bootstrap.
        .target(
            name: "PatgateServer",
            dependencies: [
                "PatgateAdapters", "PatgateCore", "JOSE", "JSON", "OpenSSL", "Curl", "PatgateTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Console")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "patgate",
            dependencies: [
                "PatgateServer", "PatgateAdapters", "PatgateCore", "JOSE", "JSON", "OpenSSL", "Curl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        // scripts/bench's microbenchmarks (release): the hot path's steps and the cache's memory.
        .executableTarget(
            name: "patgate-bench",
            dependencies: ["PatgateAdapters", "PatgateCore", "PatgateTelemetry", "JOSE", "JSON", "OpenSSL", "Curl",
                           .product(name: "NIOPosix", package: "swift-nio")],
            path: "Benchmarks/PatgateBench",
            swiftSettings: strict
        ),

        // Test-only helpers several test targets share (one copy each): a regular target, not a test target.
        .target(
            name: "PatgateTestSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/PatgateTestSupport",
            swiftSettings: strict
        ),
        // Test-only helpers shared by OpenSSLTests and JOSETests: the `openssl` CLI, Foundation decoders.
        .target(name: "CryptoTestSupport", dependencies: ["PatgateTestSupport"], path: "Tests/CryptoTestSupport"),
        .testTarget(
            name: "OpenSSLTests",
            dependencies: ["OpenSSL", "CryptoTestSupport", "PatgateTestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "JOSETests",
            dependencies: [
                "JOSE", "OpenSSL", "CryptoTestSupport", "PatgateTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "PatgateTelemetryTests", dependencies: ["PatgateTelemetry"]),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "PatgateTestSupport"]),
        .testTarget(
            name: "PatgateCoreTests",
            dependencies: ["PatgateCore", "JOSE", "OpenSSL", "PatgateTestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "PatgateAdaptersTests",
            dependencies: [
                "PatgateAdapters", "PatgateCore", "OpenSSL", "PatgateTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PatgateServerTests",
            dependencies: [
                "PatgateServer", "PatgateAdapters", "PatgateCore", "JOSE", "OpenSSL", "Curl", "PatgateTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
