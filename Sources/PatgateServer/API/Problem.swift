import HTTPTypes
import Hummingbird
import JSON
import PatgateCore

/// An RFC 9457 problem: what every `/api/v1` error answers, as `application/problem+json`.
/// `detail` says clearly what to change; it never holds a token value or a password.
struct Problem: Error, Sendable {
    let status: Int
    let code: String
    let title: String
    let detail: String
    var headers: HTTPFields = [:]

    init(_ status: Int, _ code: String, _ title: String, _ detail: String) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    static func badRequest(_ detail: String, code: String = "invalid_request") -> Problem {
        Problem(400, code, "Invalid request", detail)
    }

    static func unauthenticated(_ detail: String = "log in, or send Authorization: Bearer with a PAT or JWT carrying the 'tokens' scope") -> Problem {
        Problem(401, "unauthenticated", "Authentication required", detail)
    }

    static func forbidden(_ code: String, _ detail: String) -> Problem {
        Problem(403, code, "Forbidden", detail)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(404, "not_found", "Not found", detail)
    }

    static let unavailable = Problem(503, "unavailable", "Service unavailable",
                                     "the store did not answer; try again later")

    var response: Response {
        var json = JSONWriter()
        json.beginObject()
        json.field("type", "https://patgate.dev/problems/\(code)")
        json.field("title", title)
        json.field("status", Int64(status))
        json.field("detail", detail)
        json.field("code", code)
        json.endObject()
        var fields = headers
        fields[.contentType] = "application/problem+json"
        fields[.cacheControl] = "no-store"
        return Response(status: HTTPResponse.Status(code: status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}

extension Problem {
    /// The problem for a business error of the core; anything unexpected becomes a 503
    /// (and is logged by the caller): no input produces a 500.
    static func from(_ error: any Error) -> Problem? {
        switch error {
        case let problem as Problem:
            return problem
        case let error as PATError:
            let status = switch error.code {
            case .notFound: 404
            case .duplicateName: 409
            case .policyViolation: 422
            case .insufficientScope: 403
            case .invalidName, .invalidScope, .invalidExpiry, .invalidOwner: 400
            }
            let title = switch status {
            case 422: "Policy violation"
            case 403: "Forbidden"
            default: "Invalid token request"
            }
            return Problem(status, error.code.rawValue, title, error.description)
        case let error as UserError:
            let status = switch error.code {
            case .duplicate, .lastAdministrator: 409
            case .notFound: 404
            case .invalid: 400
            }
            return Problem(status, error.code == .invalid ? "invalid_user" : error.code.rawValue, "Invalid user request", error.description)
        case LoginError.invalidCredentials:
            return Problem(401, "invalid_credentials", "Login failed", "the username or password is wrong")
        case LoginError.throttled(let wait):
            var problem = Problem(429, "too_many_attempts", "Too many attempts",
                                  "too many failed logins; try again in \(wait) seconds")
            problem.headers[.retryAfter] = String(wait)
            return problem
        default:
            return nil
        }
    }
}
