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

/// The callback type of CURLOPT_XFERINFOFUNCTION.
typedef int (*patgate_curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                              curl_off_t ultotal, curl_off_t ulnow);

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

/// CURLOPT_XFERINFOFUNCTION.
static inline CURLcode patgate_curl_setopt_xferinfo_function(CURL *handle, patgate_curl_xferinfo_callback fn) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, fn);
}

/// CURLOPT_POSTFIELDSIZE_LARGE then CURLOPT_POSTFIELDS. The caller keeps `data` alive
/// until the transfer ends. A NULL `data` (an empty Swift array) becomes "" so libcurl
/// never falls back to its read callback, whose default reads stdin.
static inline CURLcode patgate_curl_setopt_postfields(CURL *handle, const void *data, curl_off_t size) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, size);
    if (rc != CURLE_OK) {
        return rc;
    }
    return curl_easy_setopt(handle, CURLOPT_POSTFIELDS, data != NULL ? data : (const void *)"");
}

/// curl_easy_getinfo for an info that yields a `long` (CURLINFO_RESPONSE_CODE).
static inline CURLcode patgate_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
