import PatgateCore
import Testing

/// The revocation feed's page (README "Revocation feed"): what the issuer writes, the gateway
/// reads back, and anything else the gateway refuses rather than misreads.
@Suite struct RevocationFeedPageTests {
    func page(_ text: String) -> RevocationFeedPage? { RevocationFeedPage.parse(Array(text.utf8)) }

    @Test func aPageSurvivesTheRoundTripWithTheFeedsKindNames() throws {
        let written = RevocationFeedPage(events: [
            RevocationEvent(sequence: 7, kind: .token, subject: "tok_1", at: 1_764_662_400),
            RevocationEvent(sequence: 9, kind: .user, subject: "alice", at: 1_764_662_401),
        ], next: 9)
        let text = String(decoding: written.json, as: UTF8.self)
        #expect(text == #"{"events":[{"seq":7,"kind":"token","id":"tok_1","at":1764662400},"#
            + #"{"seq":9,"kind":"subject","id":"alice","at":1764662401}],"next":9,"reset":false}"#)
        #expect(RevocationFeedPage.parse(written.json) == written)
    }

    @Test func aResetPageAndAnEmptyPageAreRead() {
        #expect(page(#"{"events":[],"next":3,"reset":true}"#) == RevocationFeedPage(events: [], next: 3, reset: true))
        #expect(page(#"{"events":[],"next":0}"#) == RevocationFeedPage(events: [], next: 0))
    }

    @Test(arguments: [
        #"{"events":[],"next":-1}"#,                                                       // negative position
        #"{"events":[],"next":"4"}"#,                                                      // next not an integer
        #"{"events":{},"next":4}"#,                                                        // events not an array
        #"{"events":[],"next":4,"reset":"yes"}"#,                                          // reset not a boolean
        #"{"events":[{"seq":5,"kind":"session","id":"x","at":1}],"next":5}"#,              // unknown kind
        #"{"events":[{"seq":5,"kind":"token","id":"","at":1}],"next":5}"#,                 // empty id
        #"{"events":[{"seq":5,"kind":"token","id":"x"}],"next":5}"#,                       // no time
        #"{"events":[{"seq":6,"kind":"token","id":"a","at":1},{"seq":5,"kind":"token","id":"b","at":1}],"next":6}"#,  // out of order
        #"{"events":[{"seq":6,"kind":"token","id":"a","at":1}],"next":5}"#,                // next behind the events
        #"{"events":[],"next":4,"next":5}"#,                                               // a member twice
        #"{"events":[],"next":4} x"#,                                                      // trailing bytes
    ])
    func malformedPagesAreRefused(_ text: String) {
        #expect(page(text) == nil)
    }

    @Test func aPageLongerThanTheIssuerSendsIsRefused() {
        let events = (1...(RevocationFeedPage.maximumEvents + 1)).map {
            RevocationEvent(sequence: Int64($0), kind: .token, subject: "t\($0)", at: 1)
        }
        let long = RevocationFeedPage(events: events, next: Int64(events.count))
        #expect(RevocationFeedPage.parse(long.json) == nil)
    }
}
