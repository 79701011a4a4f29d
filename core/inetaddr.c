// SPDX-License-Identifier: MPL-2.0
// InetAddress encoding, scope classification and text forms (vl1.md Appendix B).
#include "inetaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

void weft_inetaddr_set_v4(struct weft_inetaddr *a, const uint8_t ip[4], uint16_t port)
{
	memset(a, 0, sizeof *a);
	a->family = WEFT_INET_V4;
	memcpy(a->ip, ip, 4);
	a->port = port;
}

void weft_inetaddr_set_v6(struct weft_inetaddr *a, const uint8_t ip[16], uint16_t port)
{
	memset(a, 0, sizeof *a);
	a->family = WEFT_INET_V6;
	memcpy(a->ip, ip, 16);
	a->port = port;
}

void weft_inetaddr_encode(const struct weft_inetaddr *a, struct weft_wbuf *w)
{
	switch (a->family) {
	case WEFT_INET_V4:
		wbuf_u8(w, 0x04);
		wbuf_bytes(w, a->ip, 4);
		wbuf_u16(w, a->port);
		break;
	case WEFT_INET_V6:
		wbuf_u8(w, 0x06);
		wbuf_bytes(w, a->ip, 16);
		wbuf_u16(w, a->port);
		break;
	default: wbuf_u8(w, 0x00);
	}
}

enum weft_result weft_inetaddr_decode(struct weft_inetaddr *a, struct weft_rbuf *r)
{
	memset(a, 0, sizeof *a);
	uint8_t type = rbuf_u8(r);
	switch (type) {
	case 0x00: break;
	case 0x04:
		a->family = WEFT_INET_V4;
		rbuf_copy(r, a->ip, 4);
		a->port = rbuf_u16(r);
		break;
	case 0x06:
		a->family = WEFT_INET_V6;
		rbuf_copy(r, a->ip, 16);
		a->port = rbuf_u16(r);
		break;
	case 0x01:
	case 0x02: // reserved link-layer forms: 6 opaque bytes
		rbuf_take(r, 6);
		break;
	case 0x03: // reserved: length-prefixed opaque bytes
		rbuf_take(r, rbuf_u16(r));
		break;
	default: r->bad = true;
	}
	if (r->bad) {
		memset(a, 0, sizeof *a);
		return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

static enum weft_ip_scope scope_v4(const uint8_t *ip)
{
	switch (ip[0]) {
	case 0:
	case 255: return WEFT_SCOPE_NONE;
	case 127: return WEFT_SCOPE_LOOPBACK;
	case 10: return WEFT_SCOPE_PRIVATE;
	case 6:
	case 11:
	case 21:
	case 22:
	case 25:
	case 26:
	case 28:
	case 29:
	case 30:
	case 51:
	case 55:
	case 56: return WEFT_SCOPE_PSEUDOPRIVATE;
	case 100: return (ip[1] & 0xc0) == 64 ? WEFT_SCOPE_PRIVATE : WEFT_SCOPE_GLOBAL;
	case 169: return ip[1] == 254 ? WEFT_SCOPE_LINK_LOCAL : WEFT_SCOPE_GLOBAL;
	case 172: return (ip[1] & 0xf0) == 16 ? WEFT_SCOPE_PRIVATE : WEFT_SCOPE_GLOBAL;
	case 192:
		if (ip[1] == 168 || (ip[1] == 0 && ip[2] == 2))
			return WEFT_SCOPE_PRIVATE;
		return WEFT_SCOPE_GLOBAL;
	case 198:
		if ((ip[1] & 0xfe) == 18 || (ip[1] == 51 && ip[2] == 100))
			return WEFT_SCOPE_PRIVATE;
		return WEFT_SCOPE_GLOBAL;
	case 203: return ip[1] == 0 && ip[2] == 113 ? WEFT_SCOPE_PRIVATE : WEFT_SCOPE_GLOBAL;
	default: break;
	}
	if ((ip[0] & 0xf0) == 224)
		return WEFT_SCOPE_MULTICAST;
	if ((ip[0] & 0xf0) == 240)
		return WEFT_SCOPE_PSEUDOPRIVATE;
	return WEFT_SCOPE_GLOBAL;
}

static enum weft_ip_scope scope_v6(const uint8_t *ip)
{
	static const uint8_t zero[16], loop[16] = {[15] = 1};
	static const uint8_t fe80_1[16] = {0xfe, 0x80, [15] = 1};
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (!memcmp(ip, zero, 16))
		return WEFT_SCOPE_NONE;
	if (!memcmp(ip, loop, 16) || !memcmp(ip, fe80_1, 16) ||
	    (!memcmp(ip, mapped, 12) && ip[12] == 127))
		return WEFT_SCOPE_LOOPBACK;
	if (ip[0] == 0xff)
		return WEFT_SCOPE_MULTICAST;
	if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80)
		return WEFT_SCOPE_LINK_LOCAL;
	if ((ip[0] & 0xfe) == 0xfc)
		return WEFT_SCOPE_PRIVATE;
	return WEFT_SCOPE_GLOBAL;
}

enum weft_ip_scope weft_inetaddr_scope(const struct weft_inetaddr *a)
{
	if (a->family == WEFT_INET_V4)
		return scope_v4(a->ip);
	if (a->family == WEFT_INET_V6)
		return scope_v6(a->ip);
	return WEFT_SCOPE_NONE;
}

static size_t ip_len(const struct weft_inetaddr *a)
{
	return a->family == WEFT_INET_V4 ? 4 : a->family == WEFT_INET_V6 ? 16 : 0;
}

bool weft_inetaddr_ip_equal(const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, ip_len(a));
}

bool weft_inetaddr_equal(const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	return weft_inetaddr_ip_equal(a, b) && a->port == b->port;
}

size_t weft_inetaddr_to_string(const struct weft_inetaddr *a, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	int n;
	if (a->family != WEFT_INET_V4 && a->family != WEFT_INET_V6) {
		n = snprintf(out, cap, "none");
	} else {
		inet_ntop(a->family == WEFT_INET_V4 ? AF_INET : AF_INET6, a->ip, ip, sizeof ip);
		n = snprintf(out, cap, "%s/%u", ip, (unsigned)a->port);
	}
	return n < 0 ? 0 : (size_t)n;
}

bool weft_inetaddr_from_string(struct weft_inetaddr *a, const char *s)
{
	char ip[INET6_ADDRSTRLEN + 1];
	unsigned long port = 0;
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof ip)
		return false;
	memcpy(ip, s, n);
	ip[n] = 0;
	if (slash) {
		char *end;
		if (!slash[1] || slash[1] == '-' || slash[1] == '+')
			return false;
		port = strtoul(slash + 1, &end, 10);
		if (*end || port > 65535)
			return false;
	}
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, ip, a->ip) == 1)
		a->family = WEFT_INET_V4;
	else if (inet_pton(AF_INET6, ip, a->ip) == 1)
		a->family = WEFT_INET_V6;
	else
		return false;
	a->port = (uint16_t)port;
	return true;
}
