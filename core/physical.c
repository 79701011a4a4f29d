// SPDX-License-Identifier: MPL-2.0
// Physical network settings from the host (local.conf `physical`, service.md §4.2): trusted
// paths (cipher suite 2, vl1.md §4.4) and per-network MTUs; and trying a path the host names
// (local.conf `virtual.<addr>.try`, service.md §4.3).
#include "node.h"

static unsigned family_bits(uint8_t family)
{
	return family == WEFT_INET_V4 ? 32 : family == WEFT_INET_V6 ? 128 : 0;
}

static bool entry_valid(const struct weft_physical_net *e)
{
	unsigned max = family_bits(e->ip.family);
	if (!max || e->bits > max)
		return false;
	return e->mtu == 0 || (e->mtu >= WEFT_PHYSMTU_MIN && e->mtu <= WEFT_PHYSMTU_MAX);
}

// Whether the first `bits` bits of a and b agree.
static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	if (memcmp(a, b, whole))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return ((a[whole] ^ b[whole]) & mask) == 0;
}

static bool contains(const struct weft_physical_net *e, const struct weft_inetaddr *addr)
{
	return addr->family == e->ip.family && prefix_equal(addr->ip, e->ip.ip, e->bits);
}

enum weft_result weft_node_set_physical(struct weft_node *n, const struct weft_physical_net *nets,
                                        size_t count)
{
	if (!n || count > WEFT_MAX_PHYSICAL_NETS || (count && !nets))
		return WEFT_ERR_INVALID;
	for (size_t i = 0; i < count; i++)
		if (!entry_valid(&nets[i]))
			return WEFT_ERR_INVALID;
	for (size_t i = 0; i < count; i++) {
		struct weft_physical_net *e = &n->physical[i];
		*e = nets[i];
		e->ip.port = 0;
		// Host bits are cleared so the stored entry is the network itself.
		unsigned len = family_bits(e->ip.family) / 8;
		for (unsigned b = 0; b < len; b++) {
			unsigned keep = e->bits > b * 8 ? e->bits - b * 8 : 0;
			if (keep < 8)
				e->ip.ip[b] &= (uint8_t)(0xff00u >> keep);
		}
		memset(e->ip.ip + len, 0, sizeof e->ip.ip - len);
	}
	n->n_physical = (unsigned)count;
	return WEFT_OK;
}

// The most specific configured network containing addr, or NULL. Sending decides the cipher
// suite and MTU by it (1.14 takes the first match in its own ordering of networks).
const struct weft_physical_net *weft_physical_find(const struct weft_node *n,
                                                   const struct weft_inetaddr *addr)
{
	const struct weft_physical_net *best = NULL;
	for (unsigned i = 0; i < n->n_physical; i++) {
		const struct weft_physical_net *e = &n->physical[i];
		if (contains(e, addr) && (!best || e->bits > best->bits))
			best = e;
	}
	return best;
}

// vl1.md §4.4: a suite-2 packet is believed only from inside a network configured with the
// very ID it carries (any such network, as 1.14's Topology::shouldInboundPathBeTrusted).
bool weft_physical_trusted(const struct weft_node *n, const struct weft_inetaddr *from,
                           uint64_t trusted_path_id)
{
	if (!trusted_path_id)
		return false;
	for (unsigned i = 0; i < n->n_physical; i++)
		if (n->physical[i].trusted_path_id == trusted_path_id &&
		    contains(&n->physical[i], from))
			return true;
	return false;
}

enum weft_result weft_node_try_path(struct weft_node *n, int64_t now_ms, uint64_t address,
                                    int64_t local_socket, const struct weft_inetaddr *remote)
{
	if (!n || !remote || !family_bits(remote->family))
		return WEFT_ERR_INVALID;
	address &= WEFT_ADDRESS_MASK;
	if (address == n->self.address || weft_address_is_reserved(address))
		return WEFT_ERR_INVALID;
	struct weft_peer *p = weft_peer_find(n, address);
	if (!p)
		p = weft_peer_load(n, now_ms, address);
	if (!p) {
		weft_tx_whois(n, now_ms, address);
		return WEFT_ERR_NOT_FOUND;
	}
	if (!weft_node_path_allowed(n, address, local_socket, remote))
		return WEFT_ERR_UNSUPPORTED;
	// The peer's OK(HELLO) creates the path (weft_rx_learn), as for any probe.
	weft_tx_hello(n, now_ms, p, local_socket, remote);
	return WEFT_OK;
}
