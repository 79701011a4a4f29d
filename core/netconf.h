// SPDX-License-Identifier: MPL-2.0
// The network configuration a controller issues to one member (vl2.md §3): the in-memory form,
// its encoding into the configuration dictionary exactly as a 1.14 controller writes it, and
// the member-side decoding with the reference's tolerance rules (§3.6). Every array is bounded
// by the §3.5 limits; the struct is large (~0.5 MB) and always caller-allocated.
#ifndef WEFT_NETCONF_H
#define WEFT_NETCONF_H

#include "credential.h"
#include "dict.h"
#include "weft/rules.h"
#include "weft/weft.h"

// Format version written (`v`) and the oldest accepted (§3.6 step 1).
#define WEFT_NETCONF_VERSION     7
#define WEFT_NETCONF_VERSION_MIN 6

// Limits (vl2.md §3.5).
#define WEFT_NETCONF_MAX_ROUTES      128
#define WEFT_NETCONF_MAX_STATIC_IPS  32
#define WEFT_NETCONF_MAX_RULES       WEFT_RULES_MAX_BASE
#define WEFT_NETCONF_MAX_CAPS        128
#define WEFT_NETCONF_MAX_TAGS        128
#define WEFT_NETCONF_MAX_COOS        4
#define WEFT_NETCONF_MAX_SPECIALISTS 256
#define WEFT_NETCONF_MAX_DNS_SERVERS 4
#define WEFT_NETCONF_DNS_DOMAIN_LEN  128 // on the wire and in memory; byte 127 is always NUL
#define WEFT_NETCONF_NAME_CAP        128 // 127 bytes and a NUL

// MTU default and clamp range (§3.6 step 2).
#define WEFT_NETCONF_MTU_DEFAULT 2800
#define WEFT_NETCONF_MTU_MIN     1280
#define WEFT_NETCONF_MTU_MAX     10000

// Text capacities of the SSO fields, NUL included (the sizes of the 1.14 public API fields).
#define WEFT_NETCONF_URL_CAP       2048
#define WEFT_NETCONF_NONCE_CAP     128
#define WEFT_NETCONF_STATE_CAP     256
#define WEFT_NETCONF_CLIENT_ID_CAP 256
#define WEFT_NETCONF_PROVIDER_CAP  64

// Flags (`f`, §3.3).
#define WEFT_NETCONF_F_ENABLE_BROADCAST                  0x02ULL
#define WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION         0x04ULL
#define WEFT_NETCONF_F_RULES_RESULT_OF_UNSUPPORTED_MATCH 0x08ULL
#define WEFT_NETCONF_F_DISABLE_COMPRESSION               0x10ULL

// Specialist words (`S`, §3.4): address in the low 40 bits, roles above.
#define WEFT_NETCONF_SPECIALIST_ADDRESS_MASK     0xffffffffffULL
#define WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE    0x0000020000000000ULL
#define WEFT_NETCONF_SPECIALIST_ANCHOR           0x0000040000000000ULL
#define WEFT_NETCONF_SPECIALIST_MULTICAST_REPLIC 0x0000080000000000ULL

enum weft_netconf_type {
	WEFT_NETCONF_PRIVATE = 0,
	WEFT_NETCONF_PUBLIC = 1,
};

struct weft_netconf_route {
	struct weft_inetaddr target; // port = prefix length
	struct weft_inetaddr via;    // family NONE: on-link, written as one 0x00 byte
	uint16_t flags, metric;      // always 0 from a 1.14 controller
};

struct weft_netconf_dns {
	char domain[WEFT_NETCONF_DNS_DOMAIN_LEN]; // NUL-padded
	// Every slot is written; family NONE is an empty slot (one 0x00 byte).
	struct weft_inetaddr servers[WEFT_NETCONF_MAX_DNS_SERVERS];
};

// Decode zeroes the whole struct first, so two decodes of equal content compare equal with
// memcmp. Integers are host values; times are milliseconds.
struct weft_netconf {
	uint64_t nwid;
	int64_t timestamp_ms;
	int64_t credential_time_max_delta_ms;
	uint64_t revision;
	uint64_t issued_to; // 40 bits
	uint64_t remote_trace_target;
	uint64_t remote_trace_level;
	uint64_t flags;
	uint32_t multicast_limit;
	uint32_t mtu;
	uint8_t type; // enum weft_netconf_type
	char name[WEFT_NETCONF_NAME_CAP];

	bool has_com;
	struct weft_com com;
	struct weft_cap caps[WEFT_NETCONF_MAX_CAPS];
	unsigned n_caps;
	struct weft_tag tags[WEFT_NETCONF_MAX_TAGS];
	unsigned n_tags;
	struct weft_coo coos[WEFT_NETCONF_MAX_COOS];
	unsigned n_coos;
	uint64_t specialists[WEFT_NETCONF_MAX_SPECIALISTS];
	unsigned n_specialists;
	struct weft_netconf_route routes[WEFT_NETCONF_MAX_ROUTES];
	unsigned n_routes;
	struct weft_inetaddr static_ips[WEFT_NETCONF_MAX_STATIC_IPS]; // port = prefix length
	unsigned n_static_ips;
	struct weft_rule rules[WEFT_NETCONF_MAX_RULES];
	unsigned n_rules;
	struct weft_netconf_dns dns;

	// Single sign-on (§3.1). Which of these travel depends on sso_version and sso_enabled.
	uint64_t sso_version;
	bool sso_enabled;
	char authentication_url[WEFT_NETCONF_URL_CAP];
	int64_t authentication_expiry_time_ms;
	char issuer_url[WEFT_NETCONF_URL_CAP];
	char central_endpoint_url[WEFT_NETCONF_URL_CAP];
	char sso_nonce[WEFT_NETCONF_NONCE_CAP];
	char sso_state[WEFT_NETCONF_STATE_CAP];
	char sso_client_id[WEFT_NETCONF_CLIENT_ID_CAP];
	char sso_provider[WEFT_NETCONF_PROVIDER_CAP]; // "default" unless a v1 config says otherwise
};

// Appends the configuration to `d` (normally freshly initialized) in the 1.14 writer's key order
// and formats. `scratch` holds one binary value at a time before escaping; scratch_cap equal to
// d->cap always suffices. WEFT_ERR_INVALID for a struct the format cannot carry (a count above
// its cap, a negative time); WEFT_ERR_TOO_BIG when a binary value does not fit scratch or does
// not encode (a malformed credential or rule), or the dictionary is full. On error `d` holds a
// partial dictionary.
enum weft_result weft_netconf_encode(const struct weft_netconf *nc, struct weft_dict *d,
                                     uint8_t *scratch, size_t scratch_cap);

// Decodes a configuration dictionary as a 1.14 member does (§3.6): absent keys take their
// defaults, extra routes/IPs/rules/specialists/COOs are ignored, a bad capability or tag ends
// that list but keeps what came before it. WEFT_ERR_INVALID rejects the whole config: version
// missing or < 6, zero `nwid` or `id`, or a malformed C, COO, RT, I, DNS or R. `scratch`
// receives one unescaped binary value at a time; scratch_cap >= d->len always suffices
// (WEFT_ERR_TOO_BIG otherwise). Nothing is read outside d->p[0..d->len) and scratch.
enum weft_result weft_netconf_decode(struct weft_netconf *nc, const struct weft_dict *d,
                                     uint8_t *scratch, size_t scratch_cap);

#endif
