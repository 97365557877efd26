import Hummingbird
import PatgateAdapters

/// Runs every routed request with its connection's event loop as the task's executor
/// preference (`LoopExecutor`): a handler that waits for the libcurl driver or a GRDB queue
/// resumes on the loop that reads and writes its socket, instead of on whichever loop is next
/// in turn, from where its answer would have to cross back.
struct ChannelLoopMiddleware: RouterMiddleware {
    typealias Context = PatgateRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(context.loopExecutor) { try await next(request, context) }
    }
}
