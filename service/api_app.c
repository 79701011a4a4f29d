// SPDX-License-Identifier: MPL-2.0
// GET /app/... (service.md §2.4): static files of a web UI from HOME/app, served without a
// token when local.conf has enableWebServer; otherwise the path does not exist (404).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fs.h"

#define MAX_FILE (16u << 20)

static const char *content_type(const char *path)
{
	static const char *const types[][2] = {
	    {".html", "text/html"},      {".htm", "text/html"},    {".js", "text/javascript"},
	    {".mjs", "text/javascript"}, {".css", "text/css"},     {".json", "application/json"},
	    {".svg", "image/svg+xml"},   {".png", "image/png"},    {".ico", "image/x-icon"},
	    {".txt", "text/plain"},      {".woff2", "font/woff2"}, {".map", "application/json"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(dot, types[i][0]))
			return types[i][1];
	return "application/octet-stream";
}

// Relative paths of plain names only: no "..", no hidden files, nothing outside HOME/app.
static bool safe(const char *rel)
{
	if (strspn(rel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
	    strlen(rel))
		return false;
	return !strstr(rel, "/.") && rel[0] != '.' && !strstr(rel, "//");
}

void weft_api_app(const struct weft_api_request *req, struct weft_api_response *resp)
{
	char path[4400];
	size_t len = 0;
	const char *rel = req->path + 4; // after "/app"
	*resp = (struct weft_api_response){.status = 404, .no_body = true};
	if (!req->svc->conf.web_server || req->method != WEFT_API_GET || (*rel && *rel != '/'))
		return;
	rel += *rel == '/';
	if (!*rel || rel[strlen(rel) - 1] == '/') {
		snprintf(path, sizeof path, "%s/app/%sindex.html", req->svc->home, rel);
		if (*rel && !safe(rel))
			return;
	} else {
		if (!safe(rel))
			return;
		snprintf(path, sizeof path, "%s/app/%s", req->svc->home, rel);
	}
	char *data = weft_fs_read(path, MAX_FILE, &len);
	if (!data)
		return;
	*resp = (struct weft_api_response){
	    .status = 200, .text = data, .text_len = len, .content_type = content_type(path)};
	if (!len) { // an empty file: send_bytes must not see text_len 0 as "strlen"
		free(data);
		*resp = (struct weft_api_response){.status = 200, .no_body = true};
	}
}
