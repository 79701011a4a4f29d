// SPDX-License-Identifier: MPL-2.0
// Token files of the local API. An empty token file is treated as missing (a new token is
// written) rather than as an empty token, so an empty X-ZT1-Auth header can never pass.
#include "auth.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "random.h"
#include "service.h"

static bool is_trim(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0;
}

// Copies data[0..len) trimmed into out. Returns 0, -ENODATA if nothing is left, or -EFBIG
// if the token does not fit.
static int trim_copy(char *out, size_t cap, const char *data, size_t len)
{
	size_t a = 0, b = len;
	while (a < b && is_trim(data[a]))
		a++;
	while (b > a && is_trim(data[b - 1]))
		b--;
	if (a == b)
		return -ENODATA;
	if (b - a >= cap)
		return -EFBIG;
	memcpy(out, data + a, b - a);
	out[b - a] = 0;
	return 0;
}

// 24 characters from [a-z0-9], each uniform: bytes >= 252 (7 * 36) are drawn again.
static void generate(char *out)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = 0;
	while (n < WEFT_AUTH_TOKEN_LEN) {
		uint8_t r[32];
		weft_os_random(NULL, r, sizeof r);
		for (size_t i = 0; i < sizeof r && n < WEFT_AUTH_TOKEN_LEN; i++)
			if (r[i] < 252)
				out[n++] = alphabet[r[i] % 36];
		sodium_memzero(r, sizeof r);
	}
	out[n] = 0;
}

int weft_auth_load(const char *home, const char *name, char *out, size_t cap)
{
	char path[4200];
	size_t len = 0;
	if (cap <= WEFT_AUTH_TOKEN_LEN)
		return -EINVAL;
	snprintf(path, sizeof path, "%s/%s", home, name);
	chmod(path, 0600); // forced at every start (§1.2); fails harmlessly when absent
	char *data = weft_fs_read(path, WEFT_AUTH_TOKEN_MAX * 4, &len);
	int r = data ? trim_copy(out, cap, data, len) : errno == EFBIG ? -EFBIG : -ENOENT;
	if (data) {
		sodium_memzero(data, len);
		free(data);
	}
	if (r != -ENOENT && r != -ENODATA)
		return r; // read, or present but unusable: never overwrite a user's token
	generate(out);
	return weft_fs_write_atomic(path, out, WEFT_AUTH_TOKEN_LEN, 0600);
}

bool weft_auth_token_equal(const char *expected, const char *given)
{
	size_t n = strlen(expected);
	// Length is not secret (generated tokens all have 24 characters); the content is.
	if (strlen(given) != n)
		return false;
	return sodium_memcmp(expected, given, n) == 0;
}

int weft_auth_prepare(struct weft_service *s)
{
	int r = weft_auth_load(s->home, "authtoken.secret", s->authtoken, sizeof s->authtoken);
	if (r == 0)
		r = weft_auth_load(s->home, "metricstoken.secret", s->metricstoken,
		                   sizeof s->metricstoken);
	return r;
}

void weft_auth_clear(struct weft_service *s)
{
	sodium_memzero(s->authtoken, sizeof s->authtoken);
	sodium_memzero(s->metricstoken, sizeof s->metricstoken);
}
