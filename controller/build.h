// SPDX-License-Identifier: MPL-2.0
// One member's network configuration built from the controller's documents (vl2.md §9.3-9.6):
// IP assignment (ipam.c), rules, capabilities and tags, routes, DNS and freshly signed
// credentials (netconf_build.c). No I/O: the caller saves the member record and sends the
// result. The member record may gain auto-assigned IPs and default tags (as the reference's).
#ifndef WEFT_CONTROLLER_BUILD_H
#define WEFT_CONTROLLER_BUILD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "identity.h"
#include "netconf.h"

struct weft_ctl_build {
	uint64_t nwid;
	const json_t *network; // its record
	json_t *member;        // the member's record, changed in place
	bool new_member;       // created by this request and authorized at once: default caps
	bool full_rules;       // the request's metadata has revr >= 1
	const json_t *taken;   // {"ip text": ...}: every IP assigned to any member of the network
	const json_t *bridges; // {"10-hex address": ...}: members with activeBridge true
	const struct weft_identity *member_id;
	const struct weft_identity *signer; // the controller, with its secret
	int64_t now_ms;
	weft_random_fn random; // IPv6 pool trials
	void *random_ctx;
};

// Fills *nc (large: caller-allocated). WEFT_ERR_INVALID if a credential cannot be signed; `why`
// then says which.
enum weft_result weft_ctl_build_netconf(struct weft_netconf *nc, const struct weft_ctl_build *b,
                                        char *why, size_t cap);

// §9.4: appends the member's static IPs to nc (its routes must already be there) and sets the
// NDP emulation flag for RFC4193/6PLANE. New pool addresses join the member's ipAssignments.
void weft_ctl_assign_ips(struct weft_netconf *nc, const struct weft_ctl_build *b);

// The canonical text of an IP ("10.1.2.3", "fd00::1") as the controller stores and indexes
// it; false if s (an IP, with or without "/bits") does not parse.
bool weft_ctl_ip_text(const char *s, char out[64]);

#endif
