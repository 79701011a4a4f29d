// SPDX-License-Identifier: MPL-2.0
// Pass 1 of the rules compiler (spec 2, 3): splits the source into whitespace-separated tokens
// with the reference's line/column counting, and nests them into blocks opened by a block
// keyword and closed by a token ending in ';'. Weft departs from the reference where it loses
// input (spec 3 DEFECT): a top-level closing keyword opens no block, a ';' facing an empty block
// discards it, and blocks left open at the end are all kept.
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const block_keywords[] = {"macro", "tag",   "cap",      "drop",  "accept",
                                             "tee",   "watch", "redirect", "break", "priority"};

static bool is_block_keyword(const char *s)
{
	for (size_t i = 0; i < sizeof block_keywords / sizeof block_keywords[0]; i++)
		if (!strcmp(s, block_keywords[i]))
			return true;
	return false;
}

static struct rc_block *new_block(struct rc_ctx *c)
{
	struct rc_block *b;
	if (!weft_rulesc_grow((void **)&c->blocks, &c->capblk, c->nblk + 1, sizeof *c->blocks))
		return NULL;
	b = calloc(1, sizeof *b);
	if (b)
		c->blocks[c->nblk++] = b;
	return b;
}

static bool append(struct rc_block *b, long tok, struct rc_block *blk)
{
	if (!weft_rulesc_grow((void **)&b->v, &b->cap, b->n + 1, sizeof *b->v))
		return false;
	b->v[b->n].tok = tok;
	b->v[b->n].blk = blk;
	b->n++;
	return true;
}

struct stack {
	struct rc_block **v;
	size_t n, cap;
};

static bool push(struct stack *s, struct rc_block *b)
{
	if (!b || !weft_rulesc_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v))
		return false;
	s->v[s->n++] = b;
	return true;
}

// Pops the top block into its parent, or drops it when empty.
static bool close_top(struct stack *s)
{
	struct rc_block *b = s->v[--s->n];
	return b->n == 0 || append(s->v[s->n - 1], -1, b);
}

// A finished token buf[start..end): strips one ';', files it, then closes or opens a block.
static bool end_token(struct rc_ctx *c, struct stack *s, size_t start, size_t end, int line,
                      int col, bool at_eof)
{
	bool closing = c->buf[end - 1] == ';';
	struct rc_block *top = s->v[s->n - 1];
	if (closing)
		end--;
	c->buf[end] = 0;
	if (end > start) {
		if (!weft_rulesc_grow((void **)&c->toks, &c->captok, c->ntok + 1, sizeof *c->toks))
			return false;
		c->toks[c->ntok] = (struct rc_tok){c->buf + start, line, col};
		if (!append(top, (long)c->ntok++, NULL))
			return false;
	}
	if (at_eof)
		return true;
	if (closing)
		return s->n > 1 ? close_top(s) : true;
	if (end > start && is_block_keyword(c->buf + start))
		return push(s, new_block(c));
	return true;
}

// Width of a UTF-8 sequence starting with b, 0 if b cannot start one; JS counts UTF-16 units,
// so a 4-byte sequence advances the column by 2.
static size_t utf8_len(const unsigned char *p, size_t left, int *units)
{
	size_t n;
	*units = 1;
	if (p[0] < 0x80)
		return p[0] ? 1 : 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, *units = 2;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

bool weft_rulesc_lex(struct rc_ctx *c, const char *src, size_t len)
{
	struct stack s = {0};
	const unsigned char *u = (const unsigned char *)src;
	size_t start = 0, i = 0;
	int line = 1, col = 0, tline = 0, tcol = 0, units;
	bool in_tok = false, comment = false, ok = false;

	c->buf = malloc(len + 1);
	if (!c->buf || !push(&s, new_block(c)))
		goto fail_nomem;
	memcpy(c->buf, src, len);
	c->buf[len] = 0;
	c->root = s.v[0];
	while (i < len) {
		unsigned char ch = u[i];
		size_t n = utf8_len(u + i, len - i, &units);
		if (!n) {
			weft_rulesc_fail(c, line, col, NULL,
			                 ch ? "Invalid UTF-8 in source."
			                    : "NUL character in source.");
			goto out;
		}
		if (comment) {
			if (ch == '\r' || ch == '\n')
				comment = false, line++, col = 0;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			if (in_tok && !end_token(c, &s, start, i, tline, tcol, false))
				goto fail_nomem;
			in_tok = false;
			if (ch == '\n')
				line++, col = 0;
		} else if (!in_tok) {
			if (ch == '#') {
				comment = true;
			} else {
				in_tok = true, start = i, tline = line, tcol = col;
			}
		}
		i += n;
		col += units;
	}
	if (in_tok && !end_token(c, &s, start, len, tline, tcol, true))
		goto fail_nomem;
	while (s.n > 1)
		if (!close_top(&s))
			goto fail_nomem;
	ok = true;
	goto out;
fail_nomem:
	weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
out:
	free(s.v);
	return ok;
}
