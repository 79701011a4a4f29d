// SPDX-License-Identifier: MPL-2.0
// A network's member-side settings (service.md §1.4, §5.4): networks.d/NWID.local.conf read
// with the reference's rules and written in its exact four-line form.
#ifndef WEFT_SERVICE_NETWORK_SETTINGS_H
#define WEFT_SERVICE_NETWORK_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "weft/weft.h"

#define WEFT_SETTINGS_WHITELIST_MAX 32

struct weft_network_settings {
	bool allow_managed, allow_global, allow_default, allow_dns;
	// allowManaged given as a list of ip/bits: managed targets must fall inside one (§1.4).
	unsigned n_whitelist;
	struct weft_inetaddr whitelist[WEFT_SETTINGS_WHITELIST_MAX]; // port = prefix length
};

// The defaults: allowManaged on, the rest off.
void weft_network_settings_init(struct weft_network_settings *st);
// Reads NWID.local.conf over the defaults; an absent or unreadable file leaves them.
void weft_network_settings_load(struct weft_network_settings *st, const char *home, uint64_t nwid);
// Writes NWID.local.conf (the whitelist is not written back, as the reference drops it).
// Returns 0 or -errno.
int weft_network_settings_save(const struct weft_network_settings *st, const char *home,
                               uint64_t nwid);
// Removes NWID.local.conf (on leave).
void weft_network_settings_remove(const char *home, uint64_t nwid);

#endif
