// SPDX-License-Identifier: MPL-2.0
// GET /config and POST/PUT /config/settings (service.md §2.5.6): local.conf as read, and keys
// merged into its settings. Unlike the reference, a body that is not a JSON object, or a
// setting weftd would refuse at start, is answered 400 with the reason and nothing is written.
#include <stdio.h>

#include "api.h"

static void error(struct weft_api_response *resp, unsigned status, const char *why)
{
	resp->status = status;
	resp->json = json_pack("{s:i,s:s}", "error", (int)status, "description", why);
}

void weft_api_config_get(const struct weft_api_request *req, struct weft_api_response *resp)
{
	const json_t *raw = req->svc->conf.raw;
	resp->json = raw ? json_deep_copy(raw) : json_object();
}

void weft_api_config_settings(const struct weft_api_request *req, struct weft_api_response *resp)
{
	char err[512], why[600];
	json_error_t jerr;
	json_t *body = json_loadb(req->body, req->body_len, 0, &jerr);
	if (!body) {
		snprintf(why, sizeof why, "body: line %d, column %d: %s", jerr.line, jerr.column,
		         jerr.text);
		error(resp, 400, why);
		return;
	}
	int r = weft_service_conf_merge(req->svc, body, err, sizeof err);
	json_decref(body);
	if (r == -1)
		error(resp, 400, err);
	else if (r != 0)
		error(resp, 500, err);
	else
		resp->json = json_object();
}
