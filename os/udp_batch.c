// SPDX-License-Identifier: MPL-2.0
// Batched UDP sends (see udp_batch.h). The queue is cut into groups, each one message: a run
// of equal-sized datagrams (the last may be shorter) to one destination from one socket goes
// as a single GSO send. A message the kernel refuses is counted and dropped, as a failed
// sendto would be; the rest of the batch still goes.
#include "udp_batch.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "inetaddr.h"
#include "udp.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define GSO_MAX_BYTES 65000 // a UDP payload, with room for the IPv6 header

struct plan {
	unsigned n_msgs;
	unsigned order[WEFT_UDP_BATCH_MAX]; // entry indexes in sending order
	unsigned first[WEFT_UDP_BATCH_MAX], count[WEFT_UDP_BATCH_MAX]; // per message, in order[]
};

static bool same_dest(const struct weft_udp_batch *b, unsigned i, unsigned j)
{
	return b->fd[i] == b->fd[j] && weft_inetaddr_equal(&b->to[i], &b->to[j]);
}

// Adds entries order[from, to) as messages: each a run of equal lengths (the last shorter or
// equal) within GSO limits, or single datagrams when GSO is off.
static void add_runs(const struct weft_udp_batch *b, struct plan *p, unsigned from, unsigned to)
{
	unsigned k = from;
	while (k < to) {
		unsigned start = k;
		size_t seg = b->len[p->order[k]], total = seg;
		k++;
		while (!b->no_gso && k < to && total + b->len[p->order[k]] <= GSO_MAX_BYTES &&
		       b->len[p->order[k]] <= seg && b->len[p->order[k - 1]] == seg) {
			total += b->len[p->order[k]];
			k++;
		}
		p->first[p->n_msgs] = start;
		p->count[p->n_msgs++] = k - start;
	}
}

// Pairs (head, tail) from entry i on with one head length and one tail length (the last
// tail may be shorter), up to the window; 0 if entry i does not start such a pair.
static unsigned window_pairs(const struct weft_udp_batch *b, unsigned i)
{
	unsigned pairs = 0;
	size_t head = b->len[i], tail = i + 1 < b->n ? b->len[i + 1] : 0;
	while (pairs < WEFT_UDP_BATCH_WINDOW && i + 1 < b->n) {
		if (b->piece[i] != WEFT_UDP_HEAD_OF_TWO ||
		    b->piece[i + 1] != WEFT_UDP_TAIL_OF_TWO || !same_dest(b, i, i + 1) ||
		    (pairs && !same_dest(b, i, i - 2)) || b->len[i] != head || b->len[i + 1] > tail)
			break;
		pairs++;
		i += 2;
		if (b->len[i - 1] < tail)
			break; // a shorter tail ends the run
	}
	return pairs;
}

static void make_plan(const struct weft_udp_batch *b, struct plan *p)
{
	unsigned i = 0, o = 0;
	p->n_msgs = 0;
	while (i < b->n) {
		unsigned pairs = b->no_gso ? 0 : window_pairs(b, i);
		if (pairs == 1) { // one packet in two: a run of two, in order
			p->order[o] = i, p->order[o + 1] = i + 1;
			add_runs(b, p, o, o + 2);
			o += 2, i += 2;
			continue;
		}
		if (pairs > 1) { // heads, then tails
			for (unsigned k = 0; k < pairs; k++)
				p->order[o + k] = i + 2 * k;
			for (unsigned k = 0; k < pairs; k++)
				p->order[o + pairs + k] = i + 2 * k + 1;
			add_runs(b, p, o, o + pairs);
			add_runs(b, p, o + pairs, o + 2 * pairs);
			o += 2 * pairs;
			i += 2 * pairs;
			continue;
		}
		// Anything else keeps its place; neighbours of one size to one place still merge.
		unsigned j = i + 1;
		while (j < b->n && same_dest(b, i, j) && b->piece[j] == WEFT_UDP_WHOLE &&
		       b->piece[i] == WEFT_UDP_WHOLE)
			j++;
		for (unsigned k = i; k < j; k++)
			p->order[o + k - i] = k;
		add_runs(b, p, o, o + (j - i));
		o += j - i;
		i = j;
	}
}

// Sends messages [from, to) of the plan, all from one socket; drops one a kernel refuses.
static void send_msgs(struct weft_udp_batch *b, const struct plan *p, unsigned from, unsigned to)
{
	struct mmsghdr mh[WEFT_UDP_BATCH_MAX];
	struct iovec iov[WEFT_UDP_BATCH_MAX];
	struct sockaddr_storage ss[WEFT_UDP_BATCH_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl[WEFT_UDP_BATCH_MAX];
	unsigned n = to - from;
	for (unsigned m = 0; m < n; m++) {
		const unsigned *e = &p->order[p->first[from + m]];
		unsigned cnt = p->count[from + m];
		socklen_t sl;
		weft_sockaddr_from_inet(&ss[m], &sl, &b->to[e[0]]);
		for (unsigned k = 0; k < cnt; k++)
			iov[p->first[from + m] + k] =
			    (struct iovec){b->arena + b->off[e[k]], b->len[e[k]]};
		mh[m] = (struct mmsghdr){.msg_hdr = {.msg_name = &ss[m],
		                                     .msg_namelen = sl,
		                                     .msg_iov = &iov[p->first[from + m]],
		                                     .msg_iovlen = cnt}};
		if (cnt > 1) {
			mh[m].msg_hdr.msg_control = ctl[m].buf;
			mh[m].msg_hdr.msg_controllen = sizeof ctl[m].buf;
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh[m].msg_hdr);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
			uint16_t seg = (uint16_t)b->len[e[0]];
			memcpy(CMSG_DATA(c), &seg, sizeof seg);
		}
	}
	unsigned done = 0;
	while (done < n) {
		b->calls++;
		int r = sendmmsg(b->fd[p->order[p->first[from]]], mh + done, n - done, 0);
		if (r > 0) {
			for (unsigned m = done; m < done + (unsigned)r; m++)
				b->sent += mh[m].msg_hdr.msg_iovlen;
			done += (unsigned)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else { // refused (full buffer, unreachable, no GSO here): drop it, go on
			if (r < 0 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT) &&
			    mh[done].msg_hdr.msg_iovlen > 1)
				b->no_gso =
				    true; // a kernel or route without UDP GSO: plain from now on
			b->failed += mh[done].msg_hdr.msg_iovlen;
			done++;
		}
	}
}

void weft_udp_batch_flush(struct weft_udp_batch *b)
{
	struct plan p; // on the stack: each worker thread flushes its own batch
	make_plan(b, &p);
	unsigned m = 0;
	while (m < p.n_msgs) {
		unsigned e = m + 1;
		while (e < p.n_msgs && b->fd[p.order[p.first[e]]] == b->fd[p.order[p.first[m]]])
			e++;
		send_msgs(b, &p, m, e);
		m = e;
	}
	b->n = 0;
	b->used = 0;
}

void weft_udp_batch_add(struct weft_udp_batch *b, int fd, const struct weft_inetaddr *to,
                        const void *data, size_t len, enum weft_udp_piece piece)
{
	if (len > WEFT_UDP_BATCH_ARENA)
		return;
	if (b->n == WEFT_UDP_BATCH_MAX || b->used + len > WEFT_UDP_BATCH_ARENA)
		weft_udp_batch_flush(b);
	b->fd[b->n] = fd;
	b->piece[b->n] = (uint8_t)piece;
	b->to[b->n] = *to;
	b->off[b->n] = b->used;
	b->len[b->n] = len;
	memcpy(b->arena + b->used, data, len);
	b->used += len;
	b->n++;
}
