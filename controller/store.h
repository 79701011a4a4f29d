// SPDX-License-Identifier: MPL-2.0
// Controller storage as a table of operations with a priv pointer, so a database backend can
// sit beside the file one (store_fs.c). Records are jansson objects; a store never changes
// them. Ownership: get_* return a new reference (caller decrefs); put_* borrow the record.
#ifndef WEFT_CONTROLLER_STORE_H
#define WEFT_CONTROLLER_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

// Called once per loadable record by load(); the record is borrowed for the call. Members
// are reported after their network.
struct weft_store_sink {
	void *ctx;
	void (*network)(void *ctx, uint64_t nwid, json_t *rec);
	void (*member)(void *ctx, uint64_t nwid, uint64_t addr, json_t *rec);
	// A document that could not be loaded: `why` names it. It is skipped, not rewritten.
	void (*corrupt)(void *ctx, const char *why);
};

#define WEFT_STORE_WHY_MAX 4400 // room for a path and a reason

// Every operation returns WEFT_OK or a failure; `why` (WEFT_STORE_WHY_MAX bytes, may be NULL)
// then says what went wrong, naming the file or row. WEFT_ERR_AUTH from put_* or delete_* means
// the stored document is one the store refused to load (corrupt): it is kept as it is and
// never overwritten until an operator removes or repairs it.
struct weft_store_ops {
	const char *name;
	enum weft_result (*load)(void *priv, const struct weft_store_sink *sink, char *why);
	json_t *(*get_network)(void *priv, uint64_t nwid);
	enum weft_result (*put_network)(void *priv, uint64_t nwid, const json_t *rec, char *why);
	enum weft_result (*delete_network)(void *priv, uint64_t nwid, char *why);
	json_t *(*get_member)(void *priv, uint64_t nwid, uint64_t addr);
	enum weft_result (*put_member)(void *priv, uint64_t nwid, uint64_t addr, const json_t *rec,
	                               char *why);
	enum weft_result (*delete_member)(void *priv, uint64_t nwid, uint64_t addr, char *why);
	// Fill ids (ascending) with up to cap IDs; return how many exist in all.
	size_t (*list_networks)(void *priv, uint64_t *ids, size_t cap);
	size_t (*list_members)(void *priv, uint64_t nwid, uint64_t *ids, size_t cap);
	void (*free)(void *priv);
};

struct weft_store {
	const struct weft_store_ops *ops;
	void *priv;
};

// The file backend over DIR (normally HOME/controller.d, service.md §1.5), created if absent.
enum weft_result weft_store_fs_open(struct weft_store *st, const char *dir);

#endif
