import Testing
@testable import PatgateAdapters

/// Duration = token lifetime, raised to 900 s, capped by the maximum, and never past the PAT.
@Suite struct STSDurationTests {
    @Test func raisedToTheMinimumAndCappedByTheMaximum() {
        #expect(STSDuration.seconds(lifetime: 600, maximum: 3_600) == 900)
        #expect(STSDuration.seconds(lifetime: 1_800, maximum: 3_600) == 1_800)
        #expect(STSDuration.seconds(lifetime: 86_400, maximum: 3_600) == 3_600)
        #expect(STSDuration.seconds(lifetime: 600, maximum: 100) == 900)   // the minimum wins
    }

    @Test func aPATWithoutExpiryTakesTheWantedDuration() {
        #expect(STSDuration.fitted(lifetime: 600, maximum: 3_600, issuedAt: 1_000, notAfter: nil, slack: 5) == 900)
    }

    @Test func aPATExpiringSoonerThanTheMinimumIsRefused() {
        // 900 s left, but the STS counts from its answer: up to 5 s later.
        #expect(STSDuration.fitted(lifetime: 600, maximum: 3_600, issuedAt: 1_000, notAfter: 1_900, slack: 5) == nil)
        #expect(STSDuration.fitted(lifetime: 600, maximum: 3_600, issuedAt: 1_000, notAfter: 1_600, slack: 0) == nil)
        #expect(STSDuration.fitted(lifetime: 600, maximum: 3_600, issuedAt: 1_000, notAfter: 1_905, slack: 5) == 900)
    }

    @Test func theDurationIsShortenedToEndBeforeThePAT() {
        // Token lifetime 1800 s (a PAT with 1000 s left caps the token itself: lifetime 1000).
        #expect(STSDuration.fitted(lifetime: 1_000, maximum: 3_600, issuedAt: 0, notAfter: 1_000, slack: 5) == 995)
        #expect(STSDuration.fitted(lifetime: 1_800, maximum: 3_600, issuedAt: 0, notAfter: 10_000, slack: 5) == 1_800)
    }
}
