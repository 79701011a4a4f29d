// SPDX-License-Identifier: MPL-2.0
// A small blocking HTTP/1.1 client for the CLI: one request per connection to an IP literal,
// the whole reply read into memory, every step bounded by one deadline.
#ifndef WEFT_OS_HTTP_CLIENT_H
#define WEFT_OS_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define WEFT_HTTP_CLIENT_MAX_REPLY (64u << 20)

struct weft_http_reply {
	unsigned status;
	char *body; // NUL-terminated; the caller frees it
	size_t len;
};

// Sends `method path` to host:port (an IPv4 or IPv6 literal) with extra header lines
// ("Name: value", NULL-terminated list, no CR or LF inside) and an optional body, and reads the
// reply. Returns 0, -EINVAL for a bad argument, -ETIMEDOUT, -EPROTO for a malformed or chunked
// reply, -EFBIG past WEFT_HTTP_CLIENT_MAX_REPLY, or the -errno of a failed connect/send/recv.
int weft_http_client_request(const char *host, uint16_t port, const char *method, const char *path,
                             const char *const *headers, const char *body, size_t body_len,
                             int timeout_ms, struct weft_http_reply *out);

#endif
