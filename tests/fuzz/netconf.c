// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for the network configuration dictionary (vl2.md §3): arbitrary bytes are
// decoded as a member would; an accepted config must re-encode, decode again to the same struct
// and re-encode to the same bytes.
#include <stdlib.h>
#include <string.h>

#include "netconf.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct weft_netconf first, second;
static uint8_t out[WEFT_DICT_CAP_NETCONF], out2[WEFT_DICT_CAP_NETCONF];
static uint8_t scratch[WEFT_DICT_CAP_NETCONF];

// What the 1.14 writer cannot carry: a negative time (it drops the sign; weft refuses to
// encode), and `aurl` in an SSO version 1 config (read but never written).
static bool encodable(struct weft_netconf *nc)
{
	if (nc->sso_version == 1)
		memset(nc->authentication_url, 0, sizeof nc->authentication_url);
	return nc->timestamp_ms >= 0 && nc->credential_time_max_delta_ms >= 0 &&
	       nc->authentication_expiry_time_ms >= 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// Exact-size copies, so ASan sees any read past the input or the scratch.
	uint8_t *in = malloc(size ? size : 1), *tight = malloc(size ? size : 1);
	struct weft_dict d, e, e2;
	memcpy(in, data, size);
	weft_dict_view(&d, in, size);
	enum weft_result res = weft_netconf_decode(&first, &d, tight, size);
	CHECK(res == WEFT_OK || res == WEFT_ERR_INVALID);
	if (res != WEFT_OK || !encodable(&first))
		goto done;
	weft_dict_init(&e, out, sizeof out);
	res = weft_netconf_encode(&first, &e, scratch, sizeof scratch);
	CHECK(res == WEFT_OK || (res == WEFT_ERR_TOO_BIG && size > 100000));
	if (res != WEFT_OK)
		goto done;
	CHECK(weft_netconf_decode(&second, &e, scratch, sizeof scratch) == WEFT_OK);
	CHECK(memcmp(&first, &second, sizeof first) == 0);
	weft_dict_init(&e2, out2, sizeof out2);
	CHECK(weft_netconf_encode(&second, &e2, scratch, sizeof scratch) == WEFT_OK);
	CHECK(e2.len == e.len && memcmp(out, out2, e.len) == 0);
done:
	free(in);
	free(tight);
	return 0;
}
