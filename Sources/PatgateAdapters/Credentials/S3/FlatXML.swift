/// A strict reader for the small XML documents an STS answers with: nested elements whose
/// leaves hold text. It keeps the text of every leaf by its path of local names
/// (`ErrorResponse/Error/Code`); attributes and namespace prefixes are skipped.
///
/// It accepts the five predefined entities and character references, an XML declaration
/// and comments, and refuses everything else (DOCTYPE and so entity expansion, CDATA,
/// processing instructions, mixed content, mismatched tags, a second root): an answer it
/// cannot read exactly is no answer.
struct FlatXML {
    static let maxDepth = 16
    static let maxElements = 512

    /// The root element's local name.
    private(set) var root = ""
    private var leaves: [String: [String]] = [:]

    init(_ bytes: [UInt8]) throws(FlatXMLError) {
        var cursor = XMLCursor(bytes)
        if cursor.starts(with: [0xEF, 0xBB, 0xBF]) { cursor.index += 3 }
        cursor.skipSpace()
        if cursor.starts(with: "<?xml") { try cursor.skip(past: "?>") }
        try cursor.skipSpaceAndComments()
        var open: [(name: String, hasChildren: Bool, text: [UInt8])] = []
        var elements = 0
        repeat {
            if cursor.atEnd { throw FlatXMLError("the document ends inside an element") }
            if cursor.starts(with: "<!--") {
                try cursor.skip(past: "-->")
            } else if cursor.starts(with: "<!") || cursor.starts(with: "<?") {
                throw FlatXMLError("DOCTYPE, CDATA and processing instructions are not accepted")
            } else if cursor.starts(with: "</") {
                cursor.index += 2
                let name = try cursor.name()
                cursor.skipSpace()
                try cursor.expect(UInt8(ascii: ">"))
                guard let element = open.popLast(), element.name == name else {
                    throw FlatXMLError("a closing tag does not match the open element")
                }
                let text = try XMLText.decode(element.text)
                if element.hasChildren {
                    guard text.utf8.allSatisfy(XMLCursor.isSpace) else { throw FlatXMLError("an element mixes text and elements") }
                } else {
                    leaves[Self.path(open.map { $0.name } + [name]), default: []].append(text)
                }
            } else if cursor.peek == UInt8(ascii: "<") {
                cursor.index += 1
                let name = try cursor.name()
                let empty = try cursor.skipAttributes()
                elements += 1
                guard elements <= Self.maxElements, open.count < Self.maxDepth else {
                    throw FlatXMLError("the document is too large or too deep")
                }
                if open.isEmpty { root = name } else { open[open.count - 1].hasChildren = true }
                if empty {
                    leaves[Self.path(open.map { $0.name } + [name]), default: []].append("")
                } else {
                    open.append((name, false, []))
                }
            } else {
                guard !open.isEmpty else { throw FlatXMLError("text outside the root element") }
                open[open.count - 1].text += cursor.text()
            }
        } while !open.isEmpty
        try cursor.skipSpaceAndComments()
        guard cursor.atEnd else { throw FlatXMLError("content after the root element") }
    }

    /// The text of the one leaf at `path` (local names joined by `/`); `nil` if there is
    /// none, an error if there are several.
    func value(_ path: String) throws(FlatXMLError) -> String? {
        guard let found = leaves[path] else { return nil }
        guard found.count == 1 else { throw FlatXMLError("\(path) appears more than once") }
        return found[0]
    }

    private static func path(_ names: [String]) -> String {
        names.joined(separator: "/")
    }
}

/// Why a document was not read. The reason never quotes the document.
struct FlatXMLError: Error, Sendable, Equatable, CustomStringConvertible {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }
}
