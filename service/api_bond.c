// SPDX-License-Identifier: MPL-2.0
// /bond/... (service.md §2.5.8). weft has no multipath bonding (local.conf refuses its
// settings), so every well-formed bond request gets the reference's answer for a node without
// bonds: 400. Malformed paths are unknown routes (404).
#include <string.h>

#include "api.h"

static bool hex10(const char *p)
{
	return strlen(p) == 10 && strspn(p, "0123456789abcdefABCDEF") == 10;
}

// "<mtu>/<ifname>/<ip>" with the reference's character sets and lengths.
static bool setmtu_args(const char *p)
{
	size_t a = strspn(p, "0123456789");
	if (a < 1 || a > 6 || p[a] != '/')
		return false;
	p += a + 1;
	size_t b = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (b < 1 || b > 16 || p[b] != '/')
		return false;
	p += b + 1;
	size_t c = strspn(p, "0123456789abcdefABCDEF.:");
	return c >= 1 && c <= 39 && !p[c];
}

void weft_api_bond(const struct weft_api_request *req, struct weft_api_response *resp)
{
	const char *p = req->path + strlen("/bond/");
	bool get = req->method == WEFT_API_GET, post = !get && req->method != WEFT_API_DELETE;
	if ((get && !strncmp(p, "show/", 5) && hex10(p + 5)) ||
	    (post && !strncmp(p, "rotate/", 7) && hex10(p + 7))) {
		resp->status = 400;
		return; // body {}
	}
	if (post && !strncmp(p, "setmtu/", 7) && setmtu_args(p + 7)) {
		resp->status = 400;
		resp->text = strdup("Bonding layer isn't active yet");
		resp->content_type = "text/plain";
		return;
	}
	resp->status = 404;
	resp->no_body = true;
}
