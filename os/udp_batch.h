// SPDX-License-Identifier: MPL-2.0
// Outgoing datagrams gathered during one turn of the event loop and handed to the kernel with
// one sendmmsg(2), runs of equal-sized datagrams to one destination as single UDP GSO sends
// (UDP_SEGMENT): the kernel then routes one buffer instead of each datagram. Packets split in
// two (a head and a tail, as a 2800-byte frame is at a 1432-byte path MTU) are sent as all the
// heads of up to WEFT_UDP_BATCH_WINDOW such packets, then all their tails: every datagram is
// unchanged, and the packets still complete at the receiver in the order they were sent.
#ifndef WEFT_OS_UDP_BATCH_H
#define WEFT_OS_UDP_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

#define WEFT_UDP_BATCH_MAX   64
#define WEFT_UDP_BATCH_ARENA (96 * 1024)
#define WEFT_UDP_BATCH_WINDOW                                                                      \
	16 // packets whose heads go before their tails (receivers keep
	   // at least 32 partial packets: 1.14 has a 32-entry queue)

// What a datagram is to the batch: a whole packet, the head of a packet in two pieces, or the
// second piece of one.
enum weft_udp_piece { WEFT_UDP_WHOLE, WEFT_UDP_HEAD_OF_TWO, WEFT_UDP_TAIL_OF_TWO };

struct weft_udp_batch {
	unsigned n;
	size_t used; // bytes of arena taken
	int fd[WEFT_UDP_BATCH_MAX];
	uint8_t piece[WEFT_UDP_BATCH_MAX];
	struct weft_inetaddr to[WEFT_UDP_BATCH_MAX];
	size_t off[WEFT_UDP_BATCH_MAX], len[WEFT_UDP_BATCH_MAX];
	bool no_gso;                  // the kernel refused UDP_SEGMENT once: plain datagrams
	uint64_t sent, failed, calls; // datagrams handed to / refused by the kernel; sendmmsg calls
	uint8_t arena[WEFT_UDP_BATCH_ARENA];
};

// Queues one datagram (copied); sends what is queued first when it would not fit.
void weft_udp_batch_add(struct weft_udp_batch *b, int fd, const struct weft_inetaddr *to,
                        const void *data, size_t len, enum weft_udp_piece piece);
// Sends everything queued.
void weft_udp_batch_flush(struct weft_udp_batch *b);

#endif
