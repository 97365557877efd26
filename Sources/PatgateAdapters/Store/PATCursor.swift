import OpenSSL
import PatgateCore

/// The position after the last item of a page: newest-first order is (created_at, id) descending.
/// Encoded as base64url so clients treat it as opaque.
struct PATCursor: Equatable {
    let createdAt: Int64
    let id: String

    init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    init?(encoded: String) {
        guard let bytes = Base64URL.decode(encoded) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let createdAt = Int64(parts[0]) else { return nil }
        self.init(createdAt: createdAt, id: String(parts[1]))
    }

    var encoded: String { Base64URL.encode(Array("\(createdAt):\(id)".utf8)) }
}

extension PATPage {
    /// A page from up to `limit + 1` rows, newest first: the extra row only says that a
    /// next page exists, and the cursor points after the last row kept.
    init(lookahead rows: [PersonalAccessToken], limit: Int) {
        guard rows.count > limit, limit > 0 else {
            self.init(items: rows, nextCursor: nil)
            return
        }
        let kept = Array(rows.prefix(limit))
        let last = kept[kept.count - 1]
        self.init(items: kept, nextCursor: PATCursor(createdAt: last.createdAt, id: last.id).encoded)
    }
}
