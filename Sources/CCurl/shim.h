#ifndef PATGATE_CCURL_SHIM_H
#define PATGATE_CCURL_SHIM_H

// Typed, non-variadic wrappers around libcurl's variadic and macro APIs, so that
// Swift (module `Curl`, the only importer of CCurl) never makes a variadic call.
// Each wrapper passes exactly the argument type libcurl documents for the option
// family it is meant for: `long` for CURLOPTTYPE_LONG / VALUES, `curl_off_t` for
// CURLOPTTYPE_OFF_T, `char *` for CURLOPTTYPE_STRINGPOINT, and so on.

#include <curl/curl.h>

#if LIBCURL_VERSION_NUM < 0x075500
#error "patgate needs libcurl >= 7.85.0 (CURLOPT_PROTOCOLS_STR)"
#endif

/// The callback type of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
typedef size_t (*patgate_curl_data_callback)(char *buffer, size_t size, size_t nitems, void *userdata);

/// curl_global_init(CURL_GLOBAL_DEFAULT); CURL_GLOBAL_DEFAULT is a macro.
static inline CURLcode patgate_curl_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/// The size of the buffer CURLOPT_ERRORBUFFER writes into.
static inline size_t patgate_curl_error_size(void) {
    return CURL_ERROR_SIZE;
}

/// curl_easy_setopt for an option that takes a `long`.
static inline CURLcode patgate_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for an option that takes a `curl_off_t` (the *_LARGE options).
static inline CURLcode patgate_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for an option that takes a C string (libcurl copies it, except
/// CURLOPT_POSTFIELDS, which must not be set through this wrapper).
static inline CURLcode patgate_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for an option that takes an opaque pointer (callback user data,
/// CURLOPT_ERRORBUFFER).
static inline CURLcode patgate_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for an option that takes a `struct curl_slist *` (CURLOPT_HTTPHEADER).
static inline CURLcode patgate_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// CURLOPT_WRITEFUNCTION.
static inline CURLcode patgate_curl_setopt_write_function(CURL *handle, patgate_curl_data_callback fn) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, fn);
}

/// CURLOPT_HEADERFUNCTION.
static inline CURLcode patgate_curl_setopt_header_function(CURL *handle, patgate_curl_data_callback fn) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, fn);
}

/// CURLOPT_POSTFIELDSIZE_LARGE then CURLOPT_COPYPOSTFIELDS: libcurl keeps its own copy of
/// the body, so the caller's bytes need not outlive this call (a transfer on a multi handle
/// runs long after the caller's scope). A NULL `data` (an empty Swift array) becomes "" so
/// libcurl never falls back to its read callback, whose default reads stdin.
static inline CURLcode patgate_curl_setopt_copypostfields(CURL *handle, const void *data, curl_off_t size) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, size);
    if (rc != CURLE_OK) {
        return rc;
    }
    return curl_easy_setopt(handle, CURLOPT_COPYPOSTFIELDS, data != NULL ? data : (const void *)"");
}

/// curl_multi_setopt for an option that takes a `long`.
static inline CURLMcode patgate_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// CURLMOPT_SOCKETFUNCTION's callback: libcurl says which socket to watch for what
/// (CURL_POLL_IN, _OUT, _INOUT, or _REMOVE to stop watching it).
typedef int (*patgate_curl_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *userp, void *socketp);

/// CURLMOPT_SOCKETFUNCTION and CURLMOPT_SOCKETDATA: `callback` gets `userp` with every call.
static inline CURLMcode patgate_curl_multi_watch_sockets(CURLM *multi, patgate_curl_socket_callback callback, void *userp) {
    CURLMcode rc = curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
    if (rc != CURLM_OK) {
        return rc;
    }
    return curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, userp);
}

/// curl_multi_socket_action for libcurl's due timers (CURL_SOCKET_TIMEOUT): starts the
/// transfers just added and runs the timeouts that have expired.
static inline CURLMcode patgate_curl_multi_run_timers(CURLM *multi) {
    int running = 0;
    return curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

/// curl_multi_socket_action for one socket found ready, with CURL_CSELECT_* bits: moves on
/// the transfer on it without libcurl polling the socket again.
static inline CURLMcode patgate_curl_multi_run_socket(CURLM *multi, curl_socket_t socket, int ready) {
    int running = 0;
    return curl_multi_socket_action(multi, socket, ready, &running);
}

/// The next finished transfer of `multi`: its easy handle, with its result in `*result`, or
/// NULL when none is left. Skips messages other than CURLMSG_DONE (libcurl has no other yet),
/// so Swift never reads the message's union.
static inline CURL *patgate_curl_multi_next_done(CURLM *multi, CURLcode *result) {
    int queued = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
        if (message->msg == CURLMSG_DONE) {
            *result = message->data.result;
            return message->easy_handle;
        }
    }
    return NULL;
}

/// curl_easy_getinfo for an info that yields a `long` (CURLINFO_RESPONSE_CODE).
static inline CURLcode patgate_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
