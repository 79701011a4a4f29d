// SPDX-License-Identifier: MPL-2.0
// File-backed state: identity.secret (0600), identity.public, planet, moons.d/, peers.d/,
// networks.d/NWID.conf (service.md §1.4).
// Writes are atomic and skipped when the file already holds the same bytes; a write that
// fails is logged, never silent.
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "hex.h"
#include "log.h"

static int mkdir_p(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n >= sizeof buf)
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		char c = buf[i];
		buf[i] = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		buf[i] = c;
	}
	return 0;
}

int weft_state_prepare(const char *home)
{
	char p[4096];
	int r = mkdir_p(home);
	if (r)
		return r;
	snprintf(p, sizeof p, "%s/identity.secret", home);
	chmod(p, 0600); // forced at every start, as the reference does
	return 0;
}

// Path of an object; `dir` receives its directory when it has one of its own.
static bool object_path(const char *home, enum weft_state_object type, uint64_t id, char *out,
                        size_t cap, char *dir, size_t dcap)
{
	dir[0] = 0;
	switch (type) {
	case WEFT_STATE_IDENTITY_PUBLIC:
		snprintf(out, cap, "%s/identity.public", home);
		return true;
	case WEFT_STATE_IDENTITY_SECRET:
		snprintf(out, cap, "%s/identity.secret", home);
		return true;
	case WEFT_STATE_PLANET: snprintf(out, cap, "%s/planet", home); return true;
	case WEFT_STATE_MOON:
		snprintf(dir, dcap, "%s/moons.d", home);
		snprintf(out, cap, "%s/%016llx.moon", dir, (unsigned long long)id);
		return true;
	case WEFT_STATE_PEER:
		snprintf(dir, dcap, "%s/peers.d", home);
		snprintf(out, cap, "%s/%010llx.peer", dir, (unsigned long long)id);
		return true;
	case WEFT_STATE_NETWORK_CONFIG:
		snprintf(dir, dcap, "%s/networks.d", home);
		snprintf(out, cap, "%s/%016llx.conf", dir, (unsigned long long)id);
		return true;
	}
	return false;
}

void weft_state_put(void *home, enum weft_state_object type, uint64_t id, const void *data,
                    size_t len)
{
	char path[4200], dir[4200];
	size_t old_len = 0;
	if (!object_path(home, type, id, path, sizeof path, dir, sizeof dir))
		return;
	if (!data) {
		if (remove(path) != 0 && errno != ENOENT)
			weft_log(WEFT_LOG_WARN, "cannot remove %s: %s", path, strerror(errno));
		return;
	}
	char *old = weft_fs_read(path, len, &old_len);
	bool same = old && old_len == len && !memcmp(old, data, len);
	free(old);
	if (same)
		return;
	if (dir[0])
		mkdir_p(dir);
	int r =
	    weft_fs_write_atomic(path, data, len, type == WEFT_STATE_IDENTITY_SECRET ? 0600 : 0644);
	if (r)
		weft_log(WEFT_LOG_ERROR, "cannot write %s: %s", path, strerror(-r));
}

long weft_state_get(void *home, enum weft_state_object type, uint64_t id, void *buf, size_t cap)
{
	char path[4200], dir[4200];
	size_t len = 0;
	if (!object_path(home, type, id, path, sizeof path, dir, sizeof dir))
		return -1;
	char *data = weft_fs_read(path, cap, &len);
	if (!data) {
		if (errno == EFBIG)
			weft_log(WEFT_LOG_ERROR, "%s is too large; left as it is", path);
		return -1;
	}
	memcpy(buf, data, len);
	free(data);
	return (long)len;
}

// Calls fn for every DIR/<16 hex><suffix> file.
static void each_id(const char *home, const char *dir_name, const char *suffix,
                    void (*fn)(void *ctx, uint64_t id), void *ctx)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/%s", home, dir_name);
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		uint64_t id;
		if (strlen(e->d_name) == 16 + strlen(suffix) && !strcmp(e->d_name + 16, suffix) &&
		    weft_hex_u64(&id, e->d_name, 16))
			fn(ctx, id);
	}
	closedir(d);
}

void weft_state_each_moon(const char *home, void (*fn)(void *ctx, uint64_t id), void *ctx)
{
	each_id(home, "moons.d", ".moon", fn, ctx);
}

void weft_state_each_network(const char *home, void (*fn)(void *ctx, uint64_t id), void *ctx)
{
	each_id(home, "networks.d", ".conf", fn, ctx); // NWID.local.conf is 27 chars: not matched
}

void weft_state_network_placeholder(const char *home, uint64_t nwid)
{
	char path[4200], dir[4200];
	struct stat st;
	object_path(home, WEFT_STATE_NETWORK_CONFIG, nwid, path, sizeof path, dir, sizeof dir);
	if (stat(path, &st) == 0)
		return;
	weft_state_put((void *)home, WEFT_STATE_NETWORK_CONFIG, nwid, "\n", 1);
}
