// SPDX-License-Identifier: MPL-2.0
// What controller.c (records) and request.c (serving members) share inside controller/.
#ifndef WEFT_CONTROLLER_INT_H
#define WEFT_CONTROLLER_INT_H

#include "controller.h"
#include "netconf.h"

struct weft_controller {
	struct weft_controller_env env;
	struct weft_store store;
	// "%016llx" -> {"rec": network record, "members": {"%010llx": record},
	//               "ips": {"ip text": {"%010llx": true}}, "bridges": {"%010llx": true}}
	json_t *nets;
	size_t n_members;
	// "%016llx-%010llx" -> what was seen of a member, never stored (request.c)
	json_t *live;
	// Built on the first config request: one configuration and its dictionary at a time.
	struct weft_netconf *nc;
	uint8_t *dict, *scratch;
	uint64_t requests, answered, refused, dropped; // counters for benchmarks and the log
};

void weft_ctl_key16(char out[17], uint64_t nwid);
void weft_ctl_key10(char out[11], uint64_t addr);
json_t *weft_ctl_entry(const struct weft_controller *c, uint64_t nwid);
void weft_ctl_say(struct weft_controller *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Saves a member record if it differs from the stored one in more than its revision (bumping
// the revision), then makes it current and re-indexes it. rec is borrowed (the table keeps its
// own reference); its revision is set. *saved
// (may be NULL) is set when something was written.
enum weft_result weft_ctl_member_commit(struct weft_controller *c, uint64_t nwid, uint64_t addr,
                                        json_t *rec, bool *saved, char *why);

// request.c: what the API's changes mean for members that are online.
void weft_ctl_push_member(struct weft_controller *c, uint64_t nwid, uint64_t addr, int64_t now_ms);
void weft_ctl_push_network(struct weft_controller *c, uint64_t nwid, int64_t now_ms);
// Sends a COM revocation for `target` to every online member of the network (and the target).
void weft_ctl_revoke(struct weft_controller *c, uint64_t nwid, uint64_t target, int64_t now_ms);
void weft_ctl_forget(struct weft_controller *c, uint64_t nwid, uint64_t addr);

#endif
