// SPDX-License-Identifier: MPL-2.0
// NWID.local.conf (service.md §1.4): `key=value` lines. Booleans are true when the value starts
// with 1, t or T; an allowManaged value longer than five characters is a comma-separated
// whitelist of ip/bits networks and turns allowManaged on.
#include "network_settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "inetaddr.h"
#include "log.h"

#define LOCAL_CONF_MAX 65536

static void path_of(char *out, size_t cap, const char *home, uint64_t nwid)
{
	snprintf(out, cap, "%s/networks.d/%016llx.local.conf", home, (unsigned long long)nwid);
}

void weft_network_settings_init(struct weft_network_settings *st)
{
	*st = (struct weft_network_settings){.allow_managed = true};
}

static bool truthy(const char *v)
{
	return v[0] == '1' || v[0] == 't' || v[0] == 'T';
}

// "ip/bits,ip/bits,...": entries that do not parse are skipped.
static void parse_whitelist(struct weft_network_settings *st, char *v)
{
	for (char *save = NULL, *e = strtok_r(v, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		struct weft_inetaddr a;
		if (st->n_whitelist < WEFT_SETTINGS_WHITELIST_MAX &&
		    weft_inetaddr_from_string(&a, e) &&
		    a.port <= (a.family == WEFT_INET_V4 ? 32 : 128))
			st->whitelist[st->n_whitelist++] = a;
	}
}

static void apply_line(struct weft_network_settings *st, char *line)
{
	char *eq = strchr(line, '=');
	if (!eq)
		return;
	*eq = 0;
	char *v = eq + 1;
	if (!strcmp(line, "allowManaged")) {
		st->allow_managed = strlen(v) <= 5 ? truthy(v) : true;
		if (strlen(v) > 5)
			parse_whitelist(st, v);
	} else if (!strcmp(line, "allowGlobal")) {
		st->allow_global = truthy(v);
	} else if (!strcmp(line, "allowDefault")) {
		st->allow_default = truthy(v);
	} else if (!strcmp(line, "allowDNS")) {
		st->allow_dns = truthy(v);
	}
}

void weft_network_settings_load(struct weft_network_settings *st, const char *home, uint64_t nwid)
{
	char path[4200];
	size_t len;
	weft_network_settings_init(st);
	path_of(path, sizeof path, home, nwid);
	char *text = weft_fs_read(path, LOCAL_CONF_MAX, &len);
	if (!text)
		return;
	for (char *save = NULL, *l = strtok_r(text, "\r\n", &save); l;
	     l = strtok_r(NULL, "\r\n", &save))
		apply_line(st, l);
	free(text);
}

int weft_network_settings_save(const struct weft_network_settings *st, const char *home,
                               uint64_t nwid)
{
	char path[4200], text[128];
	snprintf(path, sizeof path, "%s/networks.d", home);
	mkdir(path, 0755);
	path_of(path, sizeof path, home, nwid);
	int n = snprintf(text, sizeof text,
	                 "allowManaged=%d\nallowGlobal=%d\nallowDefault=%d\nallowDNS=%d\n",
	                 st->allow_managed, st->allow_global, st->allow_default, st->allow_dns);
	int r = weft_fs_write_atomic(path, text, (size_t)n, 0644);
	if (r)
		weft_log(WEFT_LOG_ERROR, "cannot write %s: %s", path, strerror(-r));
	return r;
}

void weft_network_settings_remove(const char *home, uint64_t nwid)
{
	char path[4200];
	path_of(path, sizeof path, home, nwid);
	if (remove(path) != 0 && errno != ENOENT)
		weft_log(WEFT_LOG_WARN, "cannot remove %s: %s", path, strerror(errno));
}
