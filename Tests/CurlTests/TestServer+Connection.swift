import Foundation
import Glibc

extension ServerCore {
    /// Serves requests on one connection until the peer closes it or the server stops.
    func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        while true {
            guard let request = readRequest(fd, &buffer) else { return }
            stats.withLock { stats in
                stats.requests.append(request)
                stats.inFlight += 1
                stats.maxInFlight = max(stats.maxInFlight, stats.inFlight)
            }
            defer { stats.withLock { $0.inFlight -= 1 } }
            switch handler(request) {
            case .silent:
                // Hold the connection open, answering nothing, until the peer closes.
                var scratch = [UInt8](repeating: 0, count: 1024)
                while recv(fd, &scratch, scratch.count, 0) > 0 {}
                return
            case .reply(let reply):
                if reply.delay > .zero { Thread.sleep(forTimeInterval: reply.delay.seconds) }
                guard write(reply, to: fd), !reply.closeAfterward else { return }
            }
            if request.header("Connection")?.lowercased() == "close" { return }
        }
    }

    private func write(_ reply: Reply, to fd: Int32) -> Bool {
        var head = "HTTP/1.1 \(reply.status) Test\r\n"
        for header in reply.headers { head += "\(header.name): \(header.value)\r\n" }
        head += reply.chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(reply.body.count)\r\n"
        head += "\r\n"
        guard !reply.chunked else { return sendAll(fd, Array(head.utf8)) && sendChunks(reply.body, to: fd) }
        return sendAll(fd, Array(head.utf8) + reply.body)
    }

    private func sendChunks(_ body: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < body.count {
            let chunk = body[offset..<min(offset + 16_384, body.count)]
            offset += chunk.count
            let size = Array((String(chunk.count, radix: 16) + "\r\n").utf8)
            guard sendAll(fd, size + chunk + Array("\r\n".utf8)) else { return false }
        }
        return sendAll(fd, Array("0\r\n\r\n".utf8))
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Reads one request (head plus Content-Length body); nil on EOF, error or non-HTTP
    /// bytes (a TLS ClientHello gets a plain-text 400 first, as a real server's would).
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> ReceivedRequest? {
        let terminator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if let first = buffer.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) {
                _ = sendAll(fd, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return nil
            }
            if let range = buffer.firstRange(of: terminator) {
                headEnd = range.upperBound
                break
            }
            guard receive(fd, &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[..<(headEnd - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var request = ReceivedRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: [])
        let length = request.header("Content-Length").flatMap { Int($0) } ?? 0
        while buffer.count < headEnd + length {
            guard receive(fd, &buffer) else { return nil }
        }
        request.body = Array(buffer[headEnd..<(headEnd + length)])
        buffer.removeFirst(headEnd + length)
        return request
    }

    private func receive(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[..<n])
            return true
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
