// SPDX-License-Identifier: MPL-2.0
// The embedded controller's records (service.md §2.6-2.9): networks and their members, held in
// memory, loaded from and written through a store (store.h). Single-threaded, like the node.
// Records are jansson objects; functions returning json_t * say whether the reference is new.
#ifndef WEFT_CONTROLLER_H
#define WEFT_CONTROLLER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "weft/weft.h"

#define WEFT_CONTROLLER_WHY_MAX      WEFT_STORE_WHY_MAX
#define WEFT_CONTROLLER_MAX_NETWORKS 65536
#define WEFT_CONTROLLER_MAX_MEMBERS  1048576 // over all networks

struct weft_controller;

struct weft_identity;

// Diagnostics (a corrupt document at load, a failed write) leave through `log`; what goes to
// members leaves through the send_* callbacks (the node's weft_node_send_config, _error and
// _credentials), all with `send_ctx`.
struct weft_controller_env {
	uint64_t address; // this node: networks it serves start with it (§2.6)
	weft_random_fn random;
	void *random_ctx;
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
	// The controller's identity with its secret: it signs every credential. May be NULL
	// for a controller that only manages records (every config request is then refused).
	const struct weft_identity *signer;
	void *send_ctx;
	void (*send_config)(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
	                    const void *dict, size_t len, int64_t now_ms);
	void (*send_error)(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
	                   unsigned code, int64_t now_ms);
	void (*send_credentials)(void *ctx, uint64_t member, const void *payload, size_t len,
	                         int64_t now_ms);
};

// A member's NETWORK_CONFIG_REQUEST as the node delivers it (weft_config_request).
struct weft_ctl_request {
	uint64_t nwid, member, request_id;
	const char *identity; // the requester's public identity, as VL1 authenticated it
	const void *metadata;
	size_t metadata_len;
	const struct weft_inetaddr *physical; // NULL unless it came directly
};

// Takes ownership of the store and loads every record from it.
enum weft_result weft_controller_new(struct weft_controller **out,
                                     const struct weft_controller_env *env,
                                     struct weft_store store);
void weft_controller_free(struct weft_controller *c);
uint64_t weft_controller_address(const struct weft_controller *c);

// Results of the calls below: WEFT_OK; WEFT_ERR_NOT_FOUND (no such network or member);
// WEFT_ERR_INVALID (a body value that cannot be coerced: `why` names the field, nothing is
// changed); WEFT_ERR_AUTH (the store refused: the document on disk is corrupt and kept);
// WEFT_ERR_FULL (no free ID or a table cap); anything else is a store failure. `why` is
// WEFT_CONTROLLER_WHY_MAX bytes.

// Network IDs in ascending order: fills up to cap, returns how many exist.
size_t weft_controller_networks(const struct weft_controller *c, uint64_t *ids, size_t cap);
// Borrowed; NULL if absent.
const json_t *weft_controller_network(const struct weft_controller *c, uint64_t nwid);
// A free ID of the form (address << 24) | random 24 bits (§2.7.3).
enum weft_result weft_controller_free_id(struct weft_controller *c, uint64_t *nwid);
// Create or update (§2.7.5); *out is a new reference to the record as saved.
enum weft_result weft_controller_network_update(struct weft_controller *c, uint64_t nwid,
                                                const json_t *body, int64_t now_ms, json_t **out,
                                                char *why);
// Deletes the network and its members; *old is a new reference to the record as it was.
// Members that were authorized are revoked (vl2.md §9.9).
enum weft_result weft_controller_network_delete(struct weft_controller *c, uint64_t nwid,
                                                json_t **old, int64_t now_ms, char *why);

// Members of a network in ascending address order, as for weft_controller_networks; the
// network must exist (else 0). Counts also return through authorized when it is not NULL.
size_t weft_controller_members(const struct weft_controller *c, uint64_t nwid, uint64_t *ids,
                               size_t cap, size_t *authorized);
const json_t *weft_controller_member(const struct weft_controller *c, uint64_t nwid, uint64_t addr);
// Create or update (§2.7.9); WEFT_ERR_NOT_FOUND if the network does not exist.
enum weft_result weft_controller_member_update(struct weft_controller *c, uint64_t nwid,
                                               uint64_t addr, const json_t *body, int64_t now_ms,
                                               json_t **out, char *why);
// Deleting an authorized member revokes it; deauthorizing through update does too, and any
// change is pushed to the member if it is online (vl2.md §9.8, 9.9).
enum weft_result weft_controller_member_delete(struct weft_controller *c, uint64_t nwid,
                                               uint64_t addr, json_t **old, int64_t now_ms,
                                               char *why);

// Serves one config request (vl2.md §9.1-9.6): answers with a configuration or an error
// through the env's callbacks, or drops it (not ours, or a repeat within a second).
void weft_controller_request(struct weft_controller *c, const struct weft_ctl_request *q,
                             int64_t now_ms);

// Adds what was observed of the member to a copy of its document: `online` (a request in the
// last 120 s), `lastSeen` (ms, 0 if not since start), `physicalAddress` ("ip/port" or null),
// `version` ("major.minor.rev" or null).
void weft_controller_member_observed(const struct weft_controller *c, uint64_t nwid, uint64_t addr,
                                     int64_t now_ms, json_t *doc);

// Requests served since start: answered with a config, refused with an error, dropped.
void weft_controller_counts(const struct weft_controller *c, uint64_t *answered, uint64_t *refused,
                            uint64_t *dropped);

#endif
