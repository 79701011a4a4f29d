// SPDX-License-Identifier: MPL-2.0
// Reference Internet checksums for tests of os/gso.c and os/gro.c: the plain definition, one
// byte at a time, so the fast code under test is checked against something obviously right.
#ifndef WEFT_TESTS_CSUM_REF_H
#define WEFT_TESTS_CSUM_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// sum plus the 16-bit big-endian words of p[0..n) (an odd last byte padded), folded to 16 bits.
uint32_t t_csum_sum(uint32_t sum, const uint8_t *p, size_t n);
// Folded TCP pseudo-header sum (RFC 793 §3.1, RFC 8200 §8.1) of the Ethernet frame f carrying
// IPv4 (v6 false) or IPv6, for a TCP length of tcp_len.
uint32_t t_csum_pseudo(const uint8_t *f, bool v6, size_t tcp_len);

#endif
