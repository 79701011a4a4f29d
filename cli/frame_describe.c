// SPDX-License-Identifier: MPL-2.0
// Frames from short descriptions, for `weft rules test`:
//   hex <bytes>                              a whole Ethernet frame (802.1Q tag allowed)
//   tcp <flag>[,+<flag>...] SRC:PORT -> DST:PORT [len N]   IPv4, or IPv6 as [ADDR]:PORT
//                                            (`to` may stand for `->` throughout)
//   udp SRC:PORT -> DST:PORT [len N]
//   icmp echo|reply SRC -> DST [len N]       icmp6 echo|reply SRC -> DST [len N]
//   arp who-has IP [tell IP]                 ndp who-has IPV6 [tell IPV6]
// followed by any of `from MAC`, `to MAC`, `tos N`. Checksums of IP headers and ICMP are valid,
// TCP/UDP ones are left 0 (as in rules_eval.json). Nothing is written to *f on failure.
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hex.h"
#include "rules_test.h"
#include "vl2addr.h"

#define MAC_SENDER    0x020000000001ULL
#define MAC_RECIPIENT 0x020000000002ULL
#define MAC_BROADCAST 0xffffffffffffULL

struct ip {
	int af; // AF_INET or AF_INET6
	uint8_t a[16];
};

struct desc {
	char **tok;
	size_t n, i;
	char *why;
	size_t cap;
	struct weft_cli_frame *f;
	bool mac_src_set, mac_dst_set;
	uint8_t tos;
};

static bool fail(struct desc *d, const char *what)
{
	if (d->i < d->n)
		snprintf(d->why, d->cap, "at '%s': expected %s", d->tok[d->i], what);
	else
		snprintf(d->why, d->cap, "at end: expected %s", what);
	return false;
}

static const char *peek(const struct desc *d)
{
	return d->i < d->n ? d->tok[d->i] : NULL;
}

static bool eat(struct desc *d, const char *word)
{
	if (d->i < d->n && !strcmp(d->tok[d->i], word)) {
		d->i++;
		return true;
	}
	return false;
}

static bool parse_ip(const char *s, struct ip *ip)
{
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->af = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->af = AF_INET6;
		return true;
	}
	return false;
}

static bool get_ip(struct desc *d, int af, struct ip *ip)
{
	const char *s = peek(d);
	const char *what = af == AF_INET6 ? "an IPv6 address" : "an IPv4 address";
	if (!s || !parse_ip(s, ip) || (af && ip->af != af))
		return fail(d, af ? what : "an IP address");
	d->i++;
	return true;
}

static bool get_num(struct desc *d, unsigned long max, const char *what, unsigned long *out)
{
	const char *s = peek(d);
	char *end;
	if (!s || !*s || *s == '-')
		return fail(d, what);
	*out = strtoul(s, &end, 0);
	if (*end || *out > max)
		return fail(d, what);
	d->i++;
	return true;
}

// ADDR:PORT or [ADDR6]:PORT.
static bool get_endpoint(struct desc *d, struct ip *ip, uint16_t *port)
{
	const char *s = peek(d);
	char host[64], *end;
	const char *colon;
	size_t hl;
	if (!s)
		return fail(d, "ADDRESS:PORT");
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return fail(d, "[IPV6]:PORT");
		hl = (size_t)(colon - s - 1);
		s++;
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return fail(d, "IPV4:PORT or [IPV6]:PORT");
		hl = (size_t)(colon - s);
	}
	if (hl >= sizeof host)
		return fail(d, "ADDRESS:PORT");
	memcpy(host, s, hl);
	host[hl] = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (!parse_ip(host, ip) || !colon[1] || *end || p > 65535)
		return fail(d, "ADDRESS:PORT with a port of 0-65535");
	*port = (uint16_t)p;
	d->i++;
	return true;
}

static bool expect(struct desc *d, const char *word, const char *what)
{
	return eat(d, word) ? true : fail(d, what);
}

// `->`, or `to` for shells where `->` would need quoting.
static bool arrow(struct desc *d)
{
	return eat(d, "->") || eat(d, "to") ? true : fail(d, "'->' (or 'to')");
}

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)load_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

// The IP header for `proto` with `l4` bytes after it; returns the header length.
static size_t put_ip(struct desc *d, const struct ip *src, const struct ip *dst, uint8_t proto,
                     size_t l4, uint8_t hops)
{
	uint8_t *p = d->f->payload;
	if (src->af == AF_INET) {
		p[0] = 0x45;
		p[1] = d->tos;
		store_be16(p + 2, (uint16_t)(20 + l4));
		store_be16(p + 4, 0x1234);
		store_be16(p + 6, 0x4000);
		p[8] = hops;
		p[9] = proto;
		store_be16(p + 10, 0);
		memcpy(p + 12, src->a, 4);
		memcpy(p + 16, dst->a, 4);
		store_be16(p + 10, csum(p, 20, 0));
		d->f->ethertype = 0x0800;
		return 20;
	}
	store_be32(p, 0x60000000u | (uint32_t)d->tos << 20);
	store_be16(p + 4, (uint16_t)l4);
	p[6] = proto;
	p[7] = hops;
	memcpy(p + 8, src->a, 16);
	memcpy(p + 24, dst->a, 16);
	d->f->ethertype = 0x86dd;
	return 40;
}

// ICMPv6 checksum over the pseudo-header.
static uint16_t csum6(const struct ip *src, const struct ip *dst, const uint8_t *l4, size_t len)
{
	uint8_t ph[40];
	uint32_t sum = 0;
	memcpy(ph, src->a, 16);
	memcpy(ph + 16, dst->a, 16);
	store_be32(ph + 32, (uint32_t)len);
	store_be32(ph + 36, 58);
	for (size_t i = 0; i < sizeof ph; i += 2)
		sum += load_be16(ph + i);
	return csum(l4, len, sum);
}

static bool multicast_mac(const struct ip *dst, uint64_t *mac)
{
	if (dst->af == AF_INET && (dst->a[0] & 0xf0) == 0xe0) {
		*mac = 0x01005e000000ULL | ((uint64_t)(dst->a[1] & 0x7f) << 16) |
		       (uint64_t)load_be16(dst->a + 2);
		return true;
	}
	if (dst->af == AF_INET && !memcmp(dst->a, "\xff\xff\xff\xff", 4)) {
		*mac = MAC_BROADCAST;
		return true;
	}
	if (dst->af == AF_INET6 && dst->a[0] == 0xff) {
		*mac = 0x333300000000ULL | load_be32(dst->a + 12);
		return true;
	}
	return false;
}

// `len N` after a TCP, UDP or ICMP description: that many bytes of data, in the pattern
// rules_eval.json uses (3, 10, 17, ... for TCP and UDP; "abcd..." for ICMP echo).
static bool data_len(struct desc *d, size_t *len)
{
	unsigned long n = 0;
	if (eat(d, "len") && !get_num(d, 8900, "a data length of 0-8900", &n))
		return false;
	*len = n;
	return true;
}

static bool two_endpoints(struct desc *d, struct ip *s, uint16_t *sp, struct ip *t, uint16_t *tp)
{
	if (!get_endpoint(d, s, sp) || !arrow(d))
		return false;
	size_t at = d->i;
	if (!get_endpoint(d, t, tp))
		return false;
	if (t->af != s->af) {
		d->i = at;
		return fail(d, s->af == AF_INET ? "an IPv4 destination like the source"
		                                : "an IPv6 destination like the source");
	}
	return true;
}

static bool tcp_flags(struct desc *d, uint16_t *flags)
{
	static const char *const names[] = {"fin", "syn", "rst", "psh", "ack",
	                                    "urg", "ece", "cwr", "ns"};
	const char *s = peek(d);
	*flags = 0;
	if (!s)
		return fail(d, "TCP flags (syn, ack, fin, rst, psh, urg, ece, cwr, ns)");
	while (*s) {
		size_t l = strcspn(s, ",+"), k;
		for (k = 0; k < sizeof names / sizeof names[0]; k++)
			if (strlen(names[k]) == l && !strncmp(s, names[k], l))
				break;
		if (k == sizeof names / sizeof names[0])
			return fail(d, "TCP flags (syn, ack, fin, rst, psh, urg, ece, cwr, ns) "
			               "joined by ',' or '+'");
		*flags |= (uint16_t)(1u << k);
		s += l;
		if (*s)
			s++;
	}
	d->i++;
	return true;
}

static bool describe_tcp_udp(struct desc *d, bool tcp)
{
	struct ip s, t;
	uint16_t sp, tp, flags = 0;
	size_t dl, hl = tcp ? 20 : 8;
	if ((tcp && !tcp_flags(d, &flags)) || !two_endpoints(d, &s, &sp, &t, &tp) ||
	    !data_len(d, &dl))
		return false;
	size_t ih = put_ip(d, &s, &t, tcp ? 6 : 17, hl + dl, 64);
	uint8_t *p = d->f->payload + ih;
	memset(p, 0, hl + dl);
	for (size_t i = 0; i < dl; i++)
		p[hl + i] = (uint8_t)(3 + 7 * i);
	store_be16(p, sp);
	store_be16(p + 2, tp);
	if (tcp) {
		store_be32(p + 4, 0x01020304);
		store_be16(p + 12, (uint16_t)(0x5000 | flags));
		store_be16(p + 14, 0xfaf0);
	} else {
		store_be16(p + 4, (uint16_t)(8 + dl));
	}
	d->f->len = ih + hl + dl;
	if (!d->mac_dst_set)
		multicast_mac(&t, &d->f->dst_mac);
	return true;
}

static bool describe_icmp(struct desc *d, bool v6)
{
	struct ip s, t;
	size_t dl;
	bool echo = eat(d, "echo") || eat(d, "request");
	if (!echo && !eat(d, "reply"))
		return fail(d, "'echo' or 'reply'");
	if (!get_ip(d, v6 ? AF_INET6 : AF_INET, &s) || !arrow(d) || !get_ip(d, s.af, &t) ||
	    !data_len(d, &dl))
		return false;
	size_t ih = put_ip(d, &s, &t, v6 ? 58 : 1, 8 + dl, 64);
	uint8_t *p = d->f->payload + ih;
	for (size_t i = 0; i < dl; i++)
		p[8 + i] = (uint8_t)('a' + i % 26);
	p[0] = v6 ? (echo ? 128 : 129) : (echo ? 8 : 0);
	p[1] = 0;
	store_be16(p + 2, 0);
	store_be16(p + 4, 0x1234);
	store_be16(p + 6, 1);
	store_be16(p + 2, v6 ? csum6(&s, &t, p, 8 + dl) : csum(p, 8 + dl, 0));
	d->f->len = ih + 8 + dl;
	if (!d->mac_dst_set)
		multicast_mac(&t, &d->f->dst_mac);
	return true;
}

static bool describe_arp(struct desc *d)
{
	struct ip target, sender = {AF_INET, {0}};
	uint8_t *p = d->f->payload;
	if (!expect(d, "who-has", "'who-has'") || !get_ip(d, AF_INET, &target))
		return false;
	if (eat(d, "tell") && !get_ip(d, AF_INET, &sender))
		return false;
	store_be16(p, 1);
	store_be16(p + 2, 0x0800);
	p[4] = 6;
	p[5] = 4;
	store_be16(p + 6, 1);
	weft_vl2_mac_to_bytes(p + 8, d->f->src_mac);
	memcpy(p + 14, sender.a, 4);
	memset(p + 18, 0, 6);
	memcpy(p + 24, target.a, 4);
	d->f->len = 28;
	d->f->ethertype = 0x0806;
	if (!d->mac_dst_set)
		d->f->dst_mac = MAC_BROADCAST;
	return true;
}

// A Neighbor Solicitation to the target's solicited-node group, with a source link-layer
// address option unless the sender is unspecified (no `tell`).
static bool describe_ndp(struct desc *d)
{
	struct ip target, sender = {AF_INET6, {0}}, group = {AF_INET6, {0}};
	if (!expect(d, "who-has", "'who-has'") || !get_ip(d, AF_INET6, &target))
		return false;
	if (eat(d, "tell") && !get_ip(d, AF_INET6, &sender))
		return false;
	bool unspec = !memcmp(sender.a, group.a, 16);
	size_t l4 = unspec ? 24 : 32;
	memcpy(group.a, "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff", 13);
	memcpy(group.a + 13, target.a + 13, 3);
	size_t ih = put_ip(d, &sender, &group, 58, l4, 255);
	uint8_t *p = d->f->payload + ih;
	memset(p, 0, l4);
	p[0] = 135;
	memcpy(p + 8, target.a, 16);
	if (!unspec) {
		p[24] = 1;
		p[25] = 1;
		weft_vl2_mac_to_bytes(p + 26, d->f->src_mac);
	}
	store_be16(p + 2, csum6(&sender, &group, p, l4));
	d->f->len = ih + l4;
	if (!d->mac_dst_set)
		multicast_mac(&group, &d->f->dst_mac);
	return true;
}

// A whole frame in hex: destination, source, [802.1Q tag,] ethertype, payload.
static bool describe_hex(struct desc *d)
{
	const char *s = peek(d);
	size_t sl = s ? strlen(s) : 0, n = sl / 2, off = 14;
	static uint8_t b[WEFT_CLI_FRAME_MAX];
	if (!s || sl % 2 || n < 14 || n > sizeof b || !weft_hex_decode(b, n, s, sl))
		return fail(d, "an Ethernet frame in hex (14 to 9018 bytes)");
	if (!d->mac_dst_set)
		d->f->dst_mac = weft_vl2_mac_from_bytes(b);
	if (!d->mac_src_set)
		d->f->src_mac = weft_vl2_mac_from_bytes(b + 6);
	d->f->ethertype = load_be16(b + 12);
	if (d->f->ethertype == 0x8100 && n >= 18) {
		d->f->vlan_id = load_be16(b + 14) & 0x0fff;
		d->f->ethertype = load_be16(b + 16);
		off = 18;
	}
	d->f->len = n - off;
	memcpy(d->f->payload, b + off, d->f->len);
	d->i++;
	return true;
}

static bool get_mac(struct desc *d, uint64_t *mac)
{
	const char *s = peek(d);
	uint8_t b[6];
	char hex[13];
	size_t k = 0;
	for (; s && *s && k < 12; s++)
		if (*s != ':' && *s != '-')
			hex[k++] = *s;
	if (!s || *s || k != 12 || !weft_hex_decode(b, 6, hex, 12))
		return fail(d, "a MAC address like 02:00:00:00:00:01");
	*mac = weft_vl2_mac_from_bytes(b);
	d->i++;
	return true;
}

// `from MAC`, `to MAC` and `tos N` may come first (they shape the frame) or last.
static bool options(struct desc *d, bool *any)
{
	unsigned long tos;
	*any = true;
	if (eat(d, "from"))
		return get_mac(d, &d->f->src_mac) && (d->mac_src_set = true);
	if (eat(d, "to"))
		return get_mac(d, &d->f->dst_mac) && (d->mac_dst_set = true);
	if (eat(d, "tos")) {
		if (!get_num(d, 255, "a TOS byte of 0-255", &tos))
			return false;
		d->tos = (uint8_t)tos;
		return true;
	}
	*any = false;
	return true;
}

static bool describe(struct desc *d)
{
	bool any = true;
	while (any)
		if (!options(d, &any))
			return false;
	if (eat(d, "hex"))
		return describe_hex(d);
	if (eat(d, "tcp"))
		return describe_tcp_udp(d, true);
	if (eat(d, "udp"))
		return describe_tcp_udp(d, false);
	if (eat(d, "icmp"))
		return describe_icmp(d, false);
	if (eat(d, "icmp6"))
		return describe_icmp(d, true);
	if (eat(d, "arp"))
		return describe_arp(d);
	if (eat(d, "ndp"))
		return describe_ndp(d);
	return fail(d, "a frame kind: hex, tcp, udp, icmp, icmp6, arp or ndp");
}

bool weft_cli_frame_describe(struct weft_cli_frame *f, char **tok, size_t n, char *why, size_t cap)
{
	static struct weft_cli_frame scratch;
	struct desc d = {.tok = tok, .n = n, .why = why, .cap = cap, .f = &scratch};
	bool any = true;
	memset(&scratch, 0, sizeof scratch);
	scratch.src_mac = MAC_SENDER;
	scratch.dst_mac = MAC_RECIPIENT;
	if (!describe(&d))
		return false;
	while (any && d.i < d.n)
		if (!options(&d, &any))
			return false;
	if (d.i < d.n)
		return fail(&d, "the end, or one of from MAC, to MAC, tos N");
	// Build again with options given after the kind in force: they shape its headers.
	uint64_t src = scratch.src_mac, dst = scratch.dst_mac;
	memset(&scratch, 0, sizeof scratch);
	scratch.src_mac = src;
	scratch.dst_mac = dst;
	d.i = 0;
	if (!describe(&d))
		return false;
	*f = scratch;
	return true;
}
