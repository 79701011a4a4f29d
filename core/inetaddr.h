// SPDX-License-Identifier: MPL-2.0
// IP endpoints as VL1 carries them (vl1.md Appendix B): the InetAddress wire form, IP scopes
// used by path selection, and the "ip/port" text form of ZeroTier's tools.
#ifndef WEFT_INETADDR_H
#define WEFT_INETADDR_H

#include "buf.h"
#include "weft/weft.h"

// Scope numbers are protocol values: path quality multiplies by (8 - scope).
enum weft_ip_scope {
	WEFT_SCOPE_NONE = 0,
	WEFT_SCOPE_MULTICAST = 1,
	WEFT_SCOPE_LOOPBACK = 2,
	WEFT_SCOPE_PSEUDOPRIVATE = 3,
	WEFT_SCOPE_GLOBAL = 4,
	WEFT_SCOPE_LINK_LOCAL = 5,
	WEFT_SCOPE_SHARED = 6,
	WEFT_SCOPE_PRIVATE = 7,
};

#define WEFT_INETADDR_STR_MAX 56 // "[v6 text]/65535" and a NUL

void weft_inetaddr_encode(const struct weft_inetaddr *a, struct weft_wbuf *w);
// Reads one InetAddress; reserved types 1-3 are skipped and yield family NONE. An invalid
// type byte marks the reader bad and returns WEFT_ERR_INVALID.
enum weft_result weft_inetaddr_decode(struct weft_inetaddr *a, struct weft_rbuf *r);

enum weft_ip_scope weft_inetaddr_scope(const struct weft_inetaddr *a);
bool weft_inetaddr_equal(const struct weft_inetaddr *a, const struct weft_inetaddr *b);
bool weft_inetaddr_ip_equal(const struct weft_inetaddr *a, const struct weft_inetaddr *b);

// "1.2.3.4/9993" or "2001:db8::1/9993"; returns the length written.
size_t weft_inetaddr_to_string(const struct weft_inetaddr *a, char *out, size_t cap);
// Parses "ip/port" (port 0..65535) or a bare IP (port 0). False on anything else.
bool weft_inetaddr_from_string(struct weft_inetaddr *a, const char *s);

void weft_inetaddr_set_v4(struct weft_inetaddr *a, const uint8_t ip[4], uint16_t port);
void weft_inetaddr_set_v6(struct weft_inetaddr *a, const uint8_t ip[16], uint16_t port);

#endif
