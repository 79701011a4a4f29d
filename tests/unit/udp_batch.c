// SPDX-License-Identifier: MPL-2.0
// The UDP send batch (os/udp_batch.c) over real loopback sockets: every datagram arrives
// byte for byte; whole packets keep their order; a window of two-piece packets arrives as all
// heads, then all tails (so packets still complete in order); runs of equal-sized datagrams go
// as few sendmmsg calls; a second destination, a lone pair and a three-piece packet keep
// their order; and with GSO off everything still arrives in the same order.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inetaddr.h"
#include "t.h"
#include "udp.h"
#include "udp_batch.h"

#define MAX_SENT 64

struct sent {
	size_t len;
	uint8_t tag; // first byte: the datagram's number in the order it was added
};

static struct weft_udp_batch batch;
static int rx[2], tx;
static struct weft_inetaddr to[2];

static int bind_loopback(struct weft_inetaddr *a)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sin;
	int size = 4 << 20;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) != 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	const uint8_t ip[4] = {127, 0, 0, 1};
	weft_inetaddr_set_v4(a, ip, ntohs(sin.sin_port));
	return fd;
}

// Queues datagram number `tag` of `len` bytes for destination d, filled from its tag.
static void add(unsigned d, uint8_t tag, size_t len, enum weft_udp_piece piece)
{
	static uint8_t buf[2000];
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(tag + i * 7);
	weft_udp_batch_add(&batch, tx, &to[d], buf, len, piece);
}

// Receives what arrived at destination d, checking every byte; returns the tags in order.
static size_t drain(unsigned d, uint8_t *tags, size_t cap)
{
	static uint8_t buf[70000];
	size_t n = 0;
	for (;;) {
		ssize_t r = recv(rx[d], buf, sizeof buf, MSG_DONTWAIT);
		if (r < 0)
			break;
		bool intact = r > 0;
		for (ssize_t i = 0; i < r && intact; i++)
			intact = buf[i] == (uint8_t)(buf[0] + (size_t)i * 7);
		T_CHECK_MSG(intact, "datagram %zu to %u changed on the way", n, d);
		if (n < cap)
			tags[n] = buf[0];
		n++;
	}
	return n;
}

static void expect_order(unsigned d, const uint8_t *want, size_t n)
{
	uint8_t got[MAX_SENT];
	size_t k = drain(d, got, MAX_SENT);
	T_CHECK_MSG(k == n, "%zu datagrams at %u, expected %zu", k, d, n);
	for (size_t i = 0; i < n && i < k; i++)
		T_CHECK_MSG(got[i] == want[i], "position %zu: datagram %u, expected %u", i, got[i],
		            want[i]);
}

static void test_pairs_window(void)
{
	t_case("eight two-piece packets: eight heads, then eight tails, in two sends");
	uint64_t calls = batch.calls;
	for (uint8_t k = 0; k < 8; k++) {
		add(0, (uint8_t)(2 * k), 1432, WEFT_UDP_HEAD_OF_TWO);
		add(0, (uint8_t)(2 * k + 1), k == 7 ? 900 : 1421, WEFT_UDP_TAIL_OF_TWO);
	}
	weft_udp_batch_flush(&batch);
	const uint8_t want[16] = {0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15};
	expect_order(0, want, 16);
	if (!batch.no_gso)
		T_CHECK_MSG(batch.calls - calls == 1, "%llu sendmmsg calls",
		            (unsigned long long)(batch.calls - calls));
	T_CHECK(batch.failed == 0);
}

static void test_whole_order(void)
{
	t_case("whole packets keep their order; equal neighbours merge, others do not move");
	const size_t lens[10] = {100, 100, 100, 60, 60, 1400, 100, 100, 99, 100};
	for (uint8_t k = 0; k < 10; k++)
		add(0, k, lens[k], WEFT_UDP_WHOLE);
	weft_udp_batch_flush(&batch);
	const uint8_t want[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	expect_order(0, want, 10);
}

static void test_mixed(void)
{
	t_case("a lone pair, a three-piece packet and a second destination keep their order");
	add(0, 0, 1432, WEFT_UDP_HEAD_OF_TWO); // lone pair: whole after it
	add(0, 1, 1421, WEFT_UDP_TAIL_OF_TWO);
	add(0, 2, 80, WEFT_UDP_WHOLE);
	add(0, 3, 1432, WEFT_UDP_HEAD_OF_TWO); // head of three: pieces 2 and 3 are "whole" here
	add(0, 4, 1432, WEFT_UDP_WHOLE);
	add(0, 5, 600, WEFT_UDP_WHOLE);
	add(0, 6, 1432, WEFT_UDP_HEAD_OF_TWO); // a window of two pairs, split by destination
	add(0, 7, 1421, WEFT_UDP_TAIL_OF_TWO);
	add(1, 8, 1432, WEFT_UDP_HEAD_OF_TWO);
	add(1, 9, 1421, WEFT_UDP_TAIL_OF_TWO);
	add(0, 10, 1432, WEFT_UDP_HEAD_OF_TWO);
	add(0, 11, 1421, WEFT_UDP_TAIL_OF_TWO);
	weft_udp_batch_flush(&batch);
	const uint8_t want0[10] = {0, 1, 2, 3, 4, 5, 6, 7, 10, 11};
	const uint8_t want1[2] = {8, 9};
	expect_order(0, want0, 10);
	expect_order(1, want1, 2);
}

static void test_full_batch(void)
{
	t_case("a batch that fills up sends what it holds first; 100 pairs all arrive");
	uint8_t got[MAX_SENT];
	size_t total = 0;
	for (unsigned k = 0; k < 100; k++) {
		add(0, (uint8_t)(2 * k), 1432, WEFT_UDP_HEAD_OF_TWO);
		add(0, (uint8_t)(2 * k + 1), 1421, WEFT_UDP_TAIL_OF_TWO);
		if (k % 20 == 19)
			total += drain(0, got, MAX_SENT); // keep the receive buffer from filling
	}
	weft_udp_batch_flush(&batch);
	total += drain(0, got, MAX_SENT);
	T_CHECK_MSG(total == 200, "%zu of 200 arrived", total);
}

static void test_no_gso(void)
{
	t_case("with GSO off, the same queue arrives in the order it was added");
	batch.no_gso = true;
	for (uint8_t k = 0; k < 4; k++) {
		add(0, (uint8_t)(2 * k), 1432, WEFT_UDP_HEAD_OF_TWO);
		add(0, (uint8_t)(2 * k + 1), 1421, WEFT_UDP_TAIL_OF_TWO);
	}
	weft_udp_batch_flush(&batch);
	const uint8_t want[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	expect_order(0, want, 8);
	batch.no_gso = false;
}

static void test_gro_receive(void)
{
	t_case("a run sent as one GSO buffer arrives as one GRO message; split, it is intact");
	static struct weft_udp_msg msgs[WEFT_UDP_BATCH];
	struct weft_inetaddr at;
	const uint8_t ip[4] = {127, 0, 0, 1};
	weft_inetaddr_set_v4(&at, ip, 0);
	int fd = weft_udp_bind_addr(&at);
	struct sockaddr_in sin;
	socklen_t sl = sizeof sin;
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
		t_fail(__FILE__, __LINE__, "cannot bind a receiving socket");
		return;
	}
	weft_inetaddr_set_v4(&at, ip, ntohs(sin.sin_port));
	for (uint8_t k = 0; k < 6; k++)
		weft_udp_batch_add(&batch, tx, &at, (uint8_t[1]){k}, 1, WEFT_UDP_WHOLE); // 1 byte
	weft_udp_batch_flush(&batch);
	size_t datagrams = 0, bytes = 0;
	for (int tries = 0; tries < 100 && datagrams < 6; tries++) {
		int n = weft_udp_recv(fd, msgs, WEFT_UDP_BATCH);
		for (int i = 0; i < n; i++) {
			size_t seg = msgs[i].seg ? msgs[i].seg : msgs[i].len;
			for (size_t off = 0; off < msgs[i].len; off += seg, datagrams++)
				T_CHECK_MSG(msgs[i].data[off] == datagrams, "datagram %zu holds %u",
				            datagrams, msgs[i].data[off]);
			bytes += msgs[i].len;
		}
		if (n <= 0)
			usleep(1000);
	}
	T_CHECK_MSG(datagrams == 6 && bytes == 6, "%zu datagrams, %zu bytes", datagrams, bytes);
	close(fd);
}

int main(void)
{
	t_init("unit/udp_batch");
	struct weft_inetaddr any = {.family = WEFT_INET_V4};
	rx[0] = bind_loopback(&to[0]);
	rx[1] = bind_loopback(&to[1]);
	tx = bind_loopback(&any);
	if (rx[0] < 0 || rx[1] < 0 || tx < 0) {
		t_skip("no loopback UDP sockets");
		return t_done();
	}
	test_pairs_window();
	test_whole_order();
	test_mixed();
	test_full_batch();
	test_no_gso();
	test_gro_receive();
	close(rx[0]), close(rx[1]), close(tx);
	return t_done();
}
