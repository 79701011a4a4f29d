// SPDX-License-Identifier: MPL-2.0
// local.conf in weftd (service.md §4): read at start (a bad file stops the start), re-read
// when it changes (a bad file is reported and the settings in use kept, never rewritten),
// merged and saved for POST /config/settings, and applied to the node and the path check.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "ifaddr.h"
#include "log.h"
#include "service.h"

#define CONF_MAX       (1u << 20)
#define CHECK_INTERVAL 10000 // ms between looks at the file (§6.4)
#define TRY_INTERVAL   30000 // ms between HELLOs to virtual.<peer>.try addresses
#define MAX_IFADDRS    64

static void conf_path(const struct weft_service *s, char *out, size_t cap)
{
	snprintf(out, cap, "%s/local.conf", s->home);
}

// -1 when the file is absent.
static int64_t file_mtime(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

// Parses the file into *out: 0 (defaults when absent), or -1 with err.
static int read_conf(const char *path, struct weft_localconf *out, char *err, size_t cap)
{
	size_t len = 0;
	char why[WEFT_LOCALCONF_ERR_MAX];
	weft_localconf_defaults(out);
	char *text = weft_fs_read(path, CONF_MAX, &len);
	if (!text) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, cap, "%s: %s", path,
		         errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		return -1;
	}
	int r = weft_localconf_parse(text, len, out, why, sizeof why);
	free(text);
	if (r != 0)
		snprintf(err, cap, "%s: %s", path, why);
	return r;
}

// Subnets of interfaces named in interfacePrefixBlacklist: weftd's sockets are wildcards, so
// instead of not binding them it refuses paths to peers reached through them.
static void refresh_blocked(struct weft_service *s)
{
	static struct weft_ifaddr addrs[MAX_IFADDRS];
	s->n_blocked = 0;
	if (!s->conf.n_if_blacklist)
		return;
	size_t n = weft_ifaddr_list(addrs, MAX_IFADDRS);
	for (size_t i = 0; i < n && s->n_blocked < WEFT_SERVICE_MAX_BLOCKED; i++)
		if (weft_localconf_if_blacklisted(&s->conf, addrs[i].name))
			s->blocked[s->n_blocked++] = (struct weft_localconf_net){
			    .ip = addrs[i].addr, .bits = addrs[i].prefix};
}

void weft_service_conf_apply(struct weft_service *s)
{
	struct weft_physical_net nets[WEFT_LOCALCONF_MAX_PHYSICAL];
	size_t n = 0;
	for (unsigned i = 0; i < s->conf.n_physical; i++) {
		const struct weft_localconf_physical *p = &s->conf.physical[i];
		if (p->trusted_path_id || p->mtu)
			nets[n++] =
			    (struct weft_physical_net){.ip = p->net.ip,
			                               .bits = p->net.bits,
			                               .trusted_path_id = p->trusted_path_id,
			                               .mtu = p->mtu};
	}
	if (s->node && weft_node_set_physical(s->node, nets, n) != WEFT_OK)
		weft_log(WEFT_LOG_WARN, "local.conf: physical settings not accepted by the node");
	refresh_blocked(s);
	s->try_ms = 0; // try configured addresses at the next turn
}

int weft_service_conf_load(struct weft_service *s, char *err, size_t cap)
{
	char path[4200];
	conf_path(s, path, sizeof path);
	s->conf_mtime_ns = file_mtime(path);
	return read_conf(path, &s->conf, err, cap);
}

static void reload(struct weft_service *s, const char *path)
{
	struct weft_localconf next;
	char err[WEFT_LOCALCONF_ERR_MAX + 4300];
	if (read_conf(path, &next, err, sizeof err) != 0) {
		weft_log(WEFT_LOG_ERROR, "%s; keeping the settings in use", err);
		return;
	}
	if (next.primary_port != s->conf.primary_port ||
	    next.secondary_port != s->conf.secondary_port || next.n_bind != s->conf.n_bind ||
	    next.allow_secondary_port != s->conf.allow_secondary_port ||
	    next.n_mgmt != s->conf.n_mgmt)
		weft_log(WEFT_LOG_INFO,
		         "local.conf: port, bind and allowManagementFrom changes take "
		         "effect at the next start");
	// Start-time settings stay as started; the lists the running service reads are replaced.
	weft_localconf_free(&s->conf);
	s->conf = next;
	weft_service_conf_apply(s);
	weft_log(WEFT_LOG_INFO, "local.conf re-read");
}

static void try_paths(struct weft_service *s, int64_t now_ms)
{
	for (unsigned i = 0; i < s->conf.n_virtual; i++) {
		const struct weft_localconf_virtual *v = &s->conf.virt[i];
		for (unsigned k = 0; k < v->n_try; k++)
			if (weft_localconf_path_allowed(&s->conf, v->address, &v->try_addrs[k]))
				weft_node_try_path(s->node, now_ms, v->address, -1,
				                   &v->try_addrs[k]);
	}
}

void weft_service_conf_tick(struct weft_service *s, int64_t now_ms)
{
	char path[4200];
	if (now_ms >= s->conf_check_ms) {
		s->conf_check_ms = now_ms + CHECK_INTERVAL;
		conf_path(s, path, sizeof path);
		int64_t m = file_mtime(path);
		if (m != s->conf_mtime_ns) {
			s->conf_mtime_ns = m;
			reload(s, path);
		} else {
			refresh_blocked(s); // interfaces come and go
		}
	}
	if (now_ms >= s->try_ms) {
		s->try_ms = now_ms + TRY_INTERVAL;
		try_paths(s, now_ms);
	}
}

int weft_service_conf_merge(struct weft_service *s, const json_t *settings, char *err, size_t cap)
{
	char path[4200];
	struct weft_localconf next;
	if (!json_is_object(settings)) {
		snprintf(err, cap, "body: must be a JSON object of settings");
		return -1;
	}
	json_t *raw = json_deep_copy(s->conf.raw ? s->conf.raw : json_object());
	json_t *st = json_object_get(raw, "settings");
	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(raw, "settings", st);
	}
	json_object_update(st, (json_t *)settings);
	int r = weft_localconf_from_json(raw, &next, err, cap);
	if (r != 0) {
		json_decref(raw);
		return -1;
	}
	char *text = json_dumps(raw, JSON_INDENT(4) | JSON_SORT_KEYS);
	json_decref(raw);
	conf_path(s, path, sizeof path);
	if (!text || weft_fs_write_atomic(path, text, strlen(text), 0600) != 0) {
		snprintf(err, cap, "cannot write %s", path);
		free(text);
		weft_localconf_free(&next);
		return -2;
	}
	free(text);
	s->conf_mtime_ns = file_mtime(path);
	weft_localconf_free(&s->conf);
	s->conf = next;
	weft_service_conf_apply(s);
	return 0;
}

bool weft_service_path_check(void *ctx, uint64_t address, int64_t local_socket,
                             const struct weft_inetaddr *remote)
{
	const struct weft_service *s = ctx;
	(void)local_socket;
	if (!weft_localconf_path_allowed(&s->conf, address, remote))
		return false;
	for (unsigned i = 0; i < s->n_blocked; i++)
		if (weft_localconf_net_contains(&s->blocked[i], remote))
			return false;
	return true;
}
