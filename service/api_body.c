// SPDX-License-Identifier: MPL-2.0
// Request bodies of the node endpoints: a JSON object or nothing. The reference ignores a body
// it cannot parse; weft answers 400 with the parser's reason so a typo is not taken for
// "no settings", and acts on nothing.
#include <stdio.h>
#include <string.h>

#include "api.h"

json_t *weft_api_body_object(const struct weft_api_request *req, struct weft_api_response *resp)
{
	char why[300];
	json_error_t err;
	if (strspn(req->body, " \t\r\n") == req->body_len)
		return json_object(); // no body: no settings
	json_t *b = json_loadb(req->body, req->body_len, 0, &err);
	if (!b)
		snprintf(why, sizeof why, "body: line %d, column %d: %s", err.line, err.column,
		         err.text);
	else if (!json_is_object(b))
		snprintf(why, sizeof why, "body: must be a JSON object");
	if (b && json_is_object(b))
		return b;
	json_decref(b);
	resp->status = 400;
	resp->json = json_pack("{s:i,s:s}", "error", 400, "description", why);
	return NULL;
}
