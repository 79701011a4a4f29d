// SPDX-License-Identifier: MPL-2.0
#include "csum_ref.h"

#include <string.h>

uint32_t t_csum_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = sum;
	for (size_t i = 0; i < n; i++)
		s += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint32_t t_csum_pseudo(const uint8_t *f, bool v6, size_t tcp_len)
{
	uint8_t ph[40] = {0};
	const uint8_t *ip = f + 14;
	if (!v6) {
		memcpy(ph, ip + 12, 8); // source and destination
		ph[9] = 6;
		ph[10] = (uint8_t)(tcp_len >> 8);
		ph[11] = (uint8_t)tcp_len;
		return t_csum_sum(0, ph, 12);
	}
	memcpy(ph, ip + 8, 32);
	ph[32] = (uint8_t)(tcp_len >> 24);
	ph[33] = (uint8_t)(tcp_len >> 16);
	ph[34] = (uint8_t)(tcp_len >> 8);
	ph[35] = (uint8_t)tcp_len;
	ph[39] = 6;
	return t_csum_sum(0, ph, 40);
}
