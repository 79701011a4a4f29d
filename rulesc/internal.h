// SPDX-License-Identifier: MPL-2.0
// Shared between the passes of the rules compiler: the token tree of pass 1 (lex.c), the
// definitions of pass 2 (parse.c), the rendering of pass 3 (emit.c) and value syntax (value.c).
#ifndef WEFT_RULESC_INTERNAL_H
#define WEFT_RULESC_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Caps against runaway macro expansion (spec 9.3: the reference recurses without limit).
#define WEFT_RULESC_MAX_DEPTH 32
#define WEFT_RULESC_MAX_STEPS 1000000
#define WEFT_RULESC_MAX_RULES 65536

struct rc_tok {
	const char *text; // NUL-terminated, one trailing ';' removed, never empty
	int line, col;
};

struct rc_block;

// An element of a block: a token (tok >= 0) or a nested block.
struct rc_elem {
	long tok;
	struct rc_block *blk;
};

struct rc_block {
	struct rc_elem *v;
	size_t n, cap;
};

struct rc_macro {
	char *name;    // lower-cased, without the parameter list
	char **params; // parameter names ("$p"), lower-cased
	size_t *pidx;  // each parameter's index in the split list (spec 4.4)
	size_t nparams;
	const struct rc_elem *body;
	size_t nbody;
};

struct rc_named {
	char *name;
	uint32_t value;
};

struct rc_tag {
	char *name;
	uint32_t id;
	bool has_default;
	uint32_t dflt;
	struct rc_named *enums, *flags;
	size_t nenums, nflags;
};

struct rc_cap {
	char *name;
	uint32_t id;
	bool dflt;
	struct rc_elem *rules; // the elements that are neither `id N` nor `default`
	size_t nrules;
	json_t *out;
};

// Parameter bindings of the macro being rendered.
struct rc_params {
	char *const *names;
	char **vals;
	size_t n;
};

struct rc_ctx {
	const char *file;
	char *err;
	size_t errcap;
	bool failed;
	char *buf; // copy of the source; token texts point into it
	struct rc_tok *toks;
	size_t ntok, captok;
	struct rc_block **blocks; // every block, for freeing
	size_t nblk, capblk;
	struct rc_block *root;
	struct rc_macro *macros;
	size_t nmacros, capmacros;
	struct rc_tag *tags;
	size_t ntags, captags;
	struct rc_cap *caps;
	size_t ncaps, capcaps;
	size_t steps, nrules;
	int depth;
};

// Records the first error; found (may be NULL) is quoted after the message.
void weft_rulesc_fail(struct rc_ctx *c, int line, int col, const char *found, const char *msg);
// Fails at an element's position (a nested block has none: 0:0).
void weft_rulesc_fail_at(struct rc_ctx *c, const struct rc_elem *e, const char *msg);
// The token of an element, or NULL for a nested block.
const struct rc_tok *weft_rulesc_tok(const struct rc_ctx *c, const struct rc_elem *e);
bool weft_rulesc_grow(void **v, size_t *cap, size_t need, size_t size);

// Pass 1: tokens and the block tree (spec 2, 3). False on error (c->err set).
bool weft_rulesc_lex(struct rc_ctx *c, const char *src, size_t len);
// Pass 3: renders actions and directives v[0..n) appended to out (spec 5).
bool weft_rulesc_render(struct rc_ctx *c, const struct rc_elem *v, size_t n,
                        const struct rc_params *p, json_t *out);

// Value syntax (spec 6), all strict: trailing garbage makes a number invalid (weft).
int64_t weft_rulesc_num(const char *s); // -1 when invalid
bool weft_rulesc_range(const char *s, int64_t *start, int64_t *end);
bool weft_rulesc_mac(const char *s, char out[18]);
int weft_rulesc_ip(const char *s, const char **why); // 4, 6, or 0 with *why
double weft_rulesc_float(const char *s);             // JS parseFloat, NaN as 0
uint32_t weft_rulesc_default_value(const char *s);   // |parseInt(s) or 0| mod 2^32
bool weft_rulesc_is_name(const char *s);
bool weft_rulesc_is_reserved(const char *s);
char *weft_rulesc_lower_dup(const char *s); // ASCII lower-cased copy, NULL on ENOMEM

#endif
