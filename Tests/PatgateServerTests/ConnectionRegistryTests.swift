import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import PatgateServer
import Testing

/// The connection cap: counting, and who makes room when one more connection comes.
@Suite struct ConnectionRegistryTests {
    let guardTests = ConnectionGuardTests()

    @Test func connectionsAreCountedAndForgottenWhenTheyClose() throws {
        let registry = ConnectionRegistry(capacity: 4)
        let first = try guardTests.connection(registry)
        let second = try guardTests.connection(registry)
        #expect(registry.count == 2)
        try first.close().wait()
        #expect(registry.count == 1)
        second.embeddedEventLoop.advanceTime(by: .seconds(2))   // closed by the header timeout
        #expect(registry.count == 0)
    }

    @Test func atTheCapTheConnectionWaitingLongestForAHeadIsClosedForTheNewOne() throws {
        let registry = ConnectionRegistry(capacity: 3)
        let slowest = try guardTests.connection(registry, startingAt: .seconds(1))
        let slow = try guardTests.connection(registry, startingAt: .seconds(2))
        let busy = try guardTests.connection(registry)   // the oldest, but its request is being answered
        try busy.writeInbound(guardTests.head())
        let newcomer = try guardTests.connection(registry, startingAt: .seconds(3))
        #expect(!slowest.isActive)
        #expect(slow.isActive && busy.isActive && newcomer.isActive)
        #expect(registry.count == 3)
    }

    @Test func whenEveryConnectionIsBusyTheNewOneIsClosedAtOnce() throws {
        let registry = ConnectionRegistry(capacity: 2)
        let connections = try (0..<2).map { _ in try guardTests.connection(registry) }
        for connection in connections { try connection.writeInbound(guardTests.head()) }
        let refused = try guardTests.connection(registry)
        #expect(!refused.isActive)
        let allOpen = connections.allSatisfy { $0.isActive }
        #expect(allOpen)
        #expect(registry.count == 2)
    }

    @Test func aConnectionIdleAfterItsAnswerCanMakeRoomAgain() throws {
        let registry = ConnectionRegistry(capacity: 1)
        let kept = try guardTests.connection(registry)
        try guardTests.answerOneRequest(kept)
        let next = try guardTests.connection(registry, startingAt: .seconds(1))
        #expect(!kept.isActive)
        #expect(next.isActive)
    }

    @Test func theDefaultCapLeavesAReserveBelowTheDescriptorLimit() {
        #expect(ConnectionLimits.connectionCeiling(descriptorLimit: 1_024) == 896)
        #expect(ConnectionLimits.connectionCeiling(descriptorLimit: 65_536) == 65_408)
        #expect(ConnectionLimits.connectionCeiling(descriptorLimit: 256) == 192)
        #expect(ConnectionLimits.connectionCeiling(descriptorLimit: 1) == 1)
    }
}
