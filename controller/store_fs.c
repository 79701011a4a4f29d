// SPDX-License-Identifier: MPL-2.0
// The file store: controller.d/network/NWID.json and controller.d/network/NWID/member/ADDR.json
// (service.md §1.5), each one compact JSON object with sorted keys, written atomically. A file
// that cannot be loaded is logged by path, remembered, and never written or removed by weft.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "hex.h"
#include "store.h"

#define MAX_DOC     (16u * 1024 * 1024) // a member list of 16384 IPs stays far below this
#define MAX_CORRUPT 1024
#define NO_MEMBER   UINT64_MAX // marks a network document in the corrupt list

struct doc_key {
	uint64_t nwid, addr;
};

struct fs {
	char dir[4000];
	size_t n_corrupt;
	struct doc_key corrupt[MAX_CORRUPT];
};

static void say(char *why, const char *path, const char *what)
{
	if (why)
		snprintf(why, WEFT_STORE_WHY_MAX, "%.4000s: %.300s", path, what);
}

static void net_path(const struct fs *f, uint64_t nwid, char *out, size_t cap)
{
	snprintf(out, cap, "%s/network/%016llx.json", f->dir, (unsigned long long)nwid);
}

static void members_dir(const struct fs *f, uint64_t nwid, char *out, size_t cap)
{
	snprintf(out, cap, "%s/network/%016llx/member", f->dir, (unsigned long long)nwid);
}

static void member_path(const struct fs *f, uint64_t nwid, uint64_t addr, char *out, size_t cap)
{
	snprintf(out, cap, "%s/network/%016llx/member/%010llx.json", f->dir,
	         (unsigned long long)nwid, (unsigned long long)addr);
}

static bool is_corrupt(const struct fs *f, uint64_t nwid, uint64_t addr)
{
	for (size_t i = 0; i < f->n_corrupt; i++)
		if (f->corrupt[i].nwid == nwid && f->corrupt[i].addr == addr)
			return true;
	return false;
}

// "<hex digits>.json" with exactly `digits` digits: the ID, else false.
static bool doc_name(const char *name, size_t digits, uint64_t *id)
{
	return strlen(name) == digits + 5 && !strcmp(name + digits, ".json") &&
	       weft_hex_u64(id, name, digits);
}

// A record as stored, or NULL if the file is absent (errno ENOENT) or unusable (why says so).
static json_t *read_doc(const char *path, size_t id_len, char *why)
{
	size_t len;
	json_error_t err;
	char *text = weft_fs_read(path, MAX_DOC, &len);
	if (!text) {
		if (errno != ENOENT)
			say(why, path, strerror(errno));
		return NULL;
	}
	json_t *rec = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	free(text);
	const char *id = json_string_value(json_object_get(rec, "id"));
	if (!rec || !json_is_object(rec) || !id || strlen(id) != id_len) {
		say(why, path, rec ? "not a record with a valid \"id\"" : err.text);
		json_decref(rec);
		errno = EINVAL;
		return NULL;
	}
	return rec;
}

static void mark_corrupt(struct fs *f, const struct weft_store_sink *sink, uint64_t nwid,
                         uint64_t addr, const char *why)
{
	if (sink->corrupt)
		sink->corrupt(sink->ctx, why);
	if (f->n_corrupt < MAX_CORRUPT)
		f->corrupt[f->n_corrupt++] = (struct doc_key){nwid, addr};
}

static void load_members(struct fs *f, uint64_t nwid, const struct weft_store_sink *sink)
{
	char dir[4200], path[4300], why[WEFT_STORE_WHY_MAX];
	members_dir(f, nwid, dir, sizeof dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		uint64_t addr;
		if (!doc_name(e->d_name, 10, &addr))
			continue;
		member_path(f, nwid, addr, path, sizeof path);
		json_t *rec = read_doc(path, 10, why);
		if (!rec) {
			mark_corrupt(f, sink, nwid, addr, why);
			continue;
		}
		sink->member(sink->ctx, nwid, addr, rec);
		json_decref(rec);
	}
	if (d)
		closedir(d);
}

static enum weft_result fs_load(void *priv, const struct weft_store_sink *sink, char *why)
{
	struct fs *f = priv;
	char dir[4100], path[4200], reason[WEFT_STORE_WHY_MAX];
	snprintf(dir, sizeof dir, "%s/network", f->dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d) {
		if (errno == ENOENT)
			return WEFT_OK;
		say(why, dir, strerror(errno));
		return WEFT_ERR_INVALID;
	}
	while ((e = readdir(d))) {
		uint64_t nwid;
		if (!doc_name(e->d_name, 16, &nwid))
			continue;
		net_path(f, nwid, path, sizeof path);
		json_t *rec = read_doc(path, 16, reason);
		if (!rec) {
			mark_corrupt(f, sink, nwid, NO_MEMBER, reason);
			continue;
		}
		sink->network(sink->ctx, nwid, rec);
		json_decref(rec);
		load_members(f, nwid, sink);
	}
	closedir(d);
	return WEFT_OK;
}

static enum weft_result write_doc(struct fs *f, const char *path, const char *dir, bool corrupt,
                                  const json_t *rec, char *why)
{
	if (corrupt) {
		say(why, path, "holds a document that could not be loaded; not overwritten");
		return WEFT_ERR_AUTH;
	}
	char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return WEFT_FATAL_OUT_OF_MEMORY;
	char sub[4200];
	snprintf(sub, sizeof sub, "%s/network", f->dir);
	mkdir(sub, 0755);
	if (dir) { // network/NWID/member: make NWID first
		snprintf(sub, sizeof sub, "%.*s", (int)(strrchr(dir, '/') - dir), dir);
		mkdir(sub, 0755);
		mkdir(dir, 0755);
	}
	int r = weft_fs_write_atomic(path, text, strlen(text), 0644);
	free(text);
	if (r) {
		say(why, path, strerror(-r));
		return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

static enum weft_result fs_put_network(void *priv, uint64_t nwid, const json_t *rec, char *why)
{
	struct fs *f = priv;
	char path[4200];
	net_path(f, nwid, path, sizeof path);
	return write_doc(f, path, NULL, is_corrupt(f, nwid, NO_MEMBER), rec, why);
}

static enum weft_result fs_put_member(void *priv, uint64_t nwid, uint64_t addr, const json_t *rec,
                                      char *why)
{
	struct fs *f = priv;
	char path[4300], dir[4200];
	member_path(f, nwid, addr, path, sizeof path);
	members_dir(f, nwid, dir, sizeof dir);
	return write_doc(f, path, dir, is_corrupt(f, nwid, addr), rec, why);
}

static enum weft_result unlink_doc(const char *path, char *why)
{
	if (unlink(path) != 0 && errno != ENOENT) {
		say(why, path, strerror(errno));
		return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

static enum weft_result fs_delete_member(void *priv, uint64_t nwid, uint64_t addr, char *why)
{
	struct fs *f = priv;
	char path[4300];
	member_path(f, nwid, addr, path, sizeof path);
	if (is_corrupt(f, nwid, addr)) {
		say(why, path, "holds a document that could not be loaded; not removed");
		return WEFT_ERR_AUTH;
	}
	return unlink_doc(path, why);
}

// Removes NWID.json and every loaded member; directories go only if nothing is left in them,
// so a corrupt member document survives the deletion of its network.
static enum weft_result fs_delete_network(void *priv, uint64_t nwid, char *why)
{
	struct fs *f = priv;
	char dir[4200], path[4300];
	members_dir(f, nwid, dir, sizeof dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		uint64_t addr;
		if (doc_name(e->d_name, 10, &addr) && !is_corrupt(f, nwid, addr)) {
			member_path(f, nwid, addr, path, sizeof path);
			unlink_doc(path, NULL);
		}
	}
	if (d)
		closedir(d);
	rmdir(dir);
	*strrchr(dir, '/') = 0;
	rmdir(dir);
	net_path(f, nwid, path, sizeof path);
	return unlink_doc(path, why);
}

static json_t *fs_get_network(void *priv, uint64_t nwid)
{
	char path[4200];
	net_path(priv, nwid, path, sizeof path);
	return read_doc(path, 16, NULL);
}

static json_t *fs_get_member(void *priv, uint64_t nwid, uint64_t addr)
{
	char path[4300];
	member_path(priv, nwid, addr, path, sizeof path);
	return read_doc(path, 10, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static size_t list_dir(const char *dir, size_t digits, uint64_t *ids, size_t cap)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		uint64_t id;
		if (doc_name(e->d_name, digits, &id) && n++ < cap)
			ids[n - 1] = id;
	}
	if (d)
		closedir(d);
	qsort(ids, n < cap ? n : cap, sizeof *ids, cmp_u64);
	return n;
}

static size_t fs_list_networks(void *priv, uint64_t *ids, size_t cap)
{
	char dir[4100];
	snprintf(dir, sizeof dir, "%s/network", ((struct fs *)priv)->dir);
	return list_dir(dir, 16, ids, cap);
}

static size_t fs_list_members(void *priv, uint64_t nwid, uint64_t *ids, size_t cap)
{
	char dir[4200];
	members_dir(priv, nwid, dir, sizeof dir);
	return list_dir(dir, 10, ids, cap);
}

static const struct weft_store_ops fs_ops = {
    .name = "files",
    .load = fs_load,
    .get_network = fs_get_network,
    .put_network = fs_put_network,
    .delete_network = fs_delete_network,
    .get_member = fs_get_member,
    .put_member = fs_put_member,
    .delete_member = fs_delete_member,
    .list_networks = fs_list_networks,
    .list_members = fs_list_members,
    .free = free,
};

enum weft_result weft_store_fs_open(struct weft_store *st, const char *dir)
{
	if (strlen(dir) >= sizeof((struct fs *)0)->dir)
		return WEFT_ERR_TOO_BIG;
	struct fs *f = calloc(1, sizeof *f);
	if (!f)
		return WEFT_FATAL_OUT_OF_MEMORY;
	memcpy(f->dir, dir, strlen(dir) + 1);
	char sub[4100];
	snprintf(sub, sizeof sub, "%s/network", dir);
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(sub, 0755) != 0 && errno != EEXIST)) {
		free(f);
		return WEFT_ERR_INVALID;
	}
	*st = (struct weft_store){&fs_ops, f};
	return WEFT_OK;
}
