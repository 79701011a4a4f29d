// SPDX-License-Identifier: MPL-2.0
// HOME/local.conf (service.md §4): parsed and checked in one go into the effective settings.
// A setting of the wrong type or out of range is an error naming its JSON path, and the whole
// file is refused: weftd will not start on a file it would have to guess about.
#ifndef WEFT_SERVICE_LOCALCONF_H
#define WEFT_SERVICE_LOCALCONF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inetaddr.h"

#define WEFT_LOCALCONF_MAX_LIST     32 // entries kept per list (bind, prefixes, nets, try)
#define WEFT_LOCALCONF_MAX_PHYSICAL 32
#define WEFT_LOCALCONF_MAX_VIRTUAL  64
#define WEFT_LOCALCONF_PREFIX_MAX   32 // longest interface name prefix, with its NUL
#define WEFT_LOCALCONF_ERR_MAX      256

// An IP network "ip/bits"; the address's port field holds nothing.
struct weft_localconf_net {
	struct weft_inetaddr ip;
	unsigned bits;
};

// One `physical` entry (§4.2).
struct weft_localconf_physical {
	struct weft_localconf_net net;
	bool blacklist;
	uint64_t trusted_path_id; // 0: not a trusted path
	unsigned mtu;             // 0: default
};

// One `virtual` entry (§4.3), keyed by a peer's address.
struct weft_localconf_virtual {
	uint64_t address;
	unsigned n_try, n_blacklist;
	struct weft_inetaddr try_addrs[WEFT_LOCALCONF_MAX_LIST]; // ip/port
	struct weft_localconf_net blacklist[WEFT_LOCALCONF_MAX_LIST];
};

struct weft_localconf {
	json_t *raw; // the file's object as read (owned); NULL (read as {}) when there was none

	// settings (§4.1); -1 for a port means "not set"
	long primary_port, secondary_port, tertiary_port;
	bool allow_secondary_port;     // default true
	bool port_mapping;             // default true (as given; weft maps no ports)
	bool allow_tcp_fallback_relay; // default true
	bool force_tcp_relay;          // default false
	bool have_tcp_relay;
	struct weft_inetaddr tcp_relay; // ip/port, when have_tcp_relay
	unsigned n_bind;
	struct weft_inetaddr bind[WEFT_LOCALCONF_MAX_LIST];
	unsigned n_if_blacklist;
	char if_blacklist[WEFT_LOCALCONF_MAX_LIST][WEFT_LOCALCONF_PREFIX_MAX];
	unsigned n_mgmt;
	struct weft_localconf_net mgmt[WEFT_LOCALCONF_MAX_LIST]; // allowManagementFrom
	char *controller_db_path;                                // owned; NULL: HOME/controller.d
	bool low_bandwidth, multicore, cpu_pinning, web_server;
	long concurrency; // 0: not set

	unsigned n_physical, n_virtual;
	struct weft_localconf_physical physical[WEFT_LOCALCONF_MAX_PHYSICAL];
	struct weft_localconf_virtual virt[WEFT_LOCALCONF_MAX_VIRTUAL];
};

// Fills *out with the defaults (raw = NULL). Allocates nothing: defaults need no free.
void weft_localconf_defaults(struct weft_localconf *out);

// Parses local.conf text into *out (output only: what it held is not freed). Returns 0 and fills
// *out, or -1 with *out left at the defaults (nothing to free) and err holding one line:
// "<json path>: <what is wrong>" (e.g. "settings.primaryPort: must be an integer from 0 to
// 65535"), or the parser's "line L column C: ..." for text that is not JSON.
int weft_localconf_parse(const char *text, size_t len, struct weft_localconf *out, char *err,
                         size_t err_cap);

// The same for an already parsed value (takes a reference to root on success).
int weft_localconf_from_json(json_t *root, struct weft_localconf *out, char *err, size_t err_cap);

void weft_localconf_free(struct weft_localconf *c);

// True if `ip` lies inside the network.
bool weft_localconf_net_contains(const struct weft_localconf_net *net,
                                 const struct weft_inetaddr *ip);

// May the local API be used from `from`? Loopback always; otherwise inside allowManagementFrom.
bool weft_localconf_mgmt_allowed(const struct weft_localconf *c, const struct weft_inetaddr *from);

// May the node use a physical path to peer `address` at `remote`? False when the remote lies in
// a blacklisted `physical` network or in the peer's `virtual` blacklist.
bool weft_localconf_path_allowed(const struct weft_localconf *c, uint64_t address,
                                 const struct weft_inetaddr *remote);

// The `physical` entry with the longest prefix containing `remote`, or NULL.
const struct weft_localconf_physical *
weft_localconf_physical_for(const struct weft_localconf *c, const struct weft_inetaddr *remote);

// True if interface `name` starts with a prefix of interfacePrefixBlacklist.
bool weft_localconf_if_blacklisted(const struct weft_localconf *c, const char *name);

#endif
