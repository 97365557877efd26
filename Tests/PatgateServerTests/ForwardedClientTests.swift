import Foundation
@testable import PatgateServer
import Testing

/// `server.trusted_proxies`: behind a load balancer the client is the rightmost address in
/// `X-Forwarded-For` that is not a trusted proxy; from any other peer the header means nothing.
@Suite struct ForwardedClientTests {
    @Test func networksParseAndMatch() throws {
        let v4 = try #require(IPNetwork("10.1.0.0/16"))
        #expect(v4.contains("10.1.255.7") && !v4.contains("10.2.0.1") && !v4.contains("::1"))
        #expect(try #require(IPNetwork("127.0.0.1")).contains("127.0.0.1"))
        #expect(!(try #require(IPNetwork("127.0.0.1"))).contains("127.0.0.2"))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(v6.contains("fd12:3456::1") && !v6.contains("fe80::1"))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains("203.0.113.9"))
        #expect(IPNetwork.bytes("::1") == Array(repeating: 0, count: 15) + [1])
        #expect(IPNetwork.bytes("2001:db8::8:800:200c:417a") == [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x08, 0x08, 0, 0x20, 0x0c, 0x41, 0x7a])
        #expect(IPNetwork.bytes("::ffff:192.0.2.1") == Array(repeating: 0, count: 10) + [0xff, 0xff, 192, 0, 2, 1])
        #expect(IPNetwork.bytes("1:2:3:4:5:6:7:8")?.count == 16)
        for bad in ["1:2:3:4:5:6:7", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::g", "1.2.3", "1.2.3.256", "fe80::1%eth0", ":::"] {
            #expect(IPNetwork.bytes(bad) == nil, "\(bad)")
        }
        for bad in ["", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0/8", "host.example", "10.0.0.0/8/8", "10.0.0.0/٨"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }

    @Test func theClientIsTheRightmostUntrustedHop() throws {
        let clients = ForwardedClient(trusted: [try #require(IPNetwork("10.0.0.0/8"))])
        func client(_ headers: [String]) -> String? { clients.forwarded(peer: "10.0.0.1", forwardedFor: headers) }
        #expect(client(["203.0.113.9"]) == "203.0.113.9")
        #expect(client(["198.51.100.7, 203.0.113.9, 10.0.0.5"]) == "203.0.113.9")   // the client wrote the left
        #expect(client(["198.51.100.7", "203.0.113.9"]) == "203.0.113.9")           // two header lines
        #expect(client(["10.0.0.4, 10.0.0.5"]) == nil)
        #expect(client(["not-an-address, 203.0.113.9"]) == "203.0.113.9")
        #expect(client(["203.0.113.9, junk"]) == nil)
        #expect(client([]) == nil)
        // Only a trusted peer is believed; else the client is the peer.
        #expect(clients.forwarded(peer: "192.0.2.1", forwardedFor: ["203.0.113.9"]) == nil)
        #expect(clients.address(peer: "192.0.2.1", forwardedFor: ["203.0.113.9"]) == "192.0.2.1")
        #expect(clients.address(peer: "10.0.0.1", forwardedFor: ["203.0.113.9"]) == "203.0.113.9")
        #expect(clients.address(peer: "10.0.0.1", forwardedFor: []) == "10.0.0.1")
        #expect(ForwardedClient(trusted: []).address(peer: "10.0.0.1", forwardedFor: ["203.0.113.9"]) == "10.0.0.1")
    }

    @Test func behindATrustedProxyTheLoginThrottleCountsTheForwardedClient() async throws {
        try await LiveServer.withAPI(["PATGATE_SERVER_TRUSTED_PROXIES": "127.0.0.1/32, ::1",
                                      "PATGATE_LOGIN_MAX_FAILURES_PER_ADDRESS": "2"]) { server in
            try await server.addUser("alice")
            func login(_ user: String, _ password: String, from client: String) async throws -> Int {
                try await server.api("POST", "/api/v1/session", json: #"{"username":"\#(user)","password":"\#(password)"}"#,
                                     headers: [("X-Forwarded-For", client)]).status
            }
            #expect(try await login("ghost1", "wrong-password", from: "203.0.113.9") == 401)
            #expect(try await login("ghost2", "wrong-password", from: "203.0.113.9") == 401)
            #expect(try await login("alice", "password-123", from: "203.0.113.9") == 429)   // that client is locked
            #expect(try await login("alice", "password-123", from: "198.51.100.7") == 200)  // another is not
        }
    }

    @Test func withoutTrustedProxiesTheHeaderIsIgnored() async throws {
        try await LiveServer.withAPI(["PATGATE_LOGIN_MAX_FAILURES_PER_ADDRESS": "2"]) { server in
            try await server.addUser("alice")
            for (user, client) in [("ghost1", "203.0.113.1"), ("ghost2", "203.0.113.2")] {
                let status = try await server.api("POST", "/api/v1/session", json: #"{"username":"\#(user)","password":"wrong-password"}"#,
                                                  headers: [("X-Forwarded-For", client)]).status
                #expect(status == 401)
            }
            let spoofed = try await server.api("POST", "/api/v1/session", json: #"{"username":"alice","password":"password-123"}"#,
                                               headers: [("X-Forwarded-For", "198.51.100.7")])
            #expect(spoofed.status == 429)   // every attempt came from 127.0.0.1
        }
    }
}
