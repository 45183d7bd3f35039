#ifndef COMMUNIS_CCURL_SHIM_H
#define COMMUNIS_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are C variadic functions, which Swift cannot call.
   These typed wrappers pass each kind of argument exactly as libcurl reads it back
   (a long, a char pointer, a data pointer, a curl_off_t, a callback). */

static inline CURLcode communis_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline CURLcode communis_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode communis_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/* libcurl copies strings given to CURLOPT_* string options (since 7.17.0). */
static inline CURLcode communis_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/* For CURLOPT_READDATA, CURLOPT_DEBUGDATA, CURLOPT_ERRORBUFFER and CURLOPT_MAIL_RCPT:
   the pointee must outlive curl_easy_perform. */
static inline CURLcode communis_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode communis_curl_setopt_read_function(CURL *handle, curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

static inline CURLcode communis_curl_setopt_debug_function(CURL *handle, curl_debug_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}

static inline CURLcode communis_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline int communis_curl_error_size(void) {
    return CURL_ERROR_SIZE;
}

#endif
