// SPDX-License-Identifier: MPL-2.0
// Pass 2 of the rules compiler (spec 4): macro, tag and capability definitions are taken out of
// the top-level list, the rest is the base rule set; then the entry point renders capabilities
// and base rules (pass 3, emit.c) and assembles the reference wrapper's JSON (spec 1.2, 7).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rulesc.h"

bool weft_rulesc_grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *p;
	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	p = realloc(*v, n * size);
	if (!p)
		return false;
	*v = p;
	*cap = n;
	return true;
}

void weft_rulesc_fail(struct rc_ctx *c, int line, int col, const char *found, const char *msg)
{
	if (c->failed)
		return;
	c->failed = true;
	if (!c->errcap)
		return;
	if (found)
		snprintf(c->err, c->errcap, "%s:%d:%d: %s (found \"%.40s\")", c->file, line, col,
		         msg, found);
	else
		snprintf(c->err, c->errcap, "%s:%d:%d: %s", c->file, line, col, msg);
}

const struct rc_tok *weft_rulesc_tok(const struct rc_ctx *c, const struct rc_elem *e)
{
	return e->blk ? NULL : &c->toks[e->tok];
}

void weft_rulesc_fail_at(struct rc_ctx *c, const struct rc_elem *e, const char *msg)
{
	const struct rc_tok *t = weft_rulesc_tok(c, e);
	weft_rulesc_fail(c, t ? t->line : 0, t ? t->col : 0, t ? t->text : NULL, msg);
}

static bool fail_tok(struct rc_ctx *c, const struct rc_tok *t, const char *msg)
{
	weft_rulesc_fail(c, t->line, t->col, t->text, msg);
	return false;
}

// Token k of a definition block; a nested block there is an error (the reference crashes).
static const struct rc_tok *def_tok(struct rc_ctx *c, const struct rc_block *b, size_t k)
{
	const struct rc_tok *t = weft_rulesc_tok(c, &b->v[k]);
	if (!t)
		weft_rulesc_fail(c, 0, 0, NULL, "Unexpected block inside a definition.");
	return t;
}

// The name of a definition, lower-cased and checked; kind is "macro", "tag" or "capability".
static char *def_name(struct rc_ctx *c, const struct rc_tok *t, const char *text,
                      const char *invalid, const char *reserved_msg)
{
	char *name = weft_rulesc_lower_dup(text);
	if (!name) {
		weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
		return NULL;
	}
	if (!weft_rulesc_is_name(name) || weft_rulesc_is_reserved(name)) {
		fail_tok(c, t, weft_rulesc_is_name(name) ? reserved_msg : invalid);
		free(name);
		return NULL;
	}
	return name;
}

static bool define_macro(struct rc_ctx *c, const struct rc_block *b)
{
	const struct rc_tok *t = def_tok(c, b, 0);
	struct rc_macro m = {0};
	char *lower, *paren;
	size_t cap = 0, idx = 0;
	if (!t || !(lower = weft_rulesc_lower_dup(t->text)))
		return t ? (weft_rulesc_fail(c, 0, 0, NULL, "Out of memory."), false) : false;
	paren = strchr(lower, '(');
	if (paren && paren > lower) {
		char *p = paren + 1;
		*paren = 0;
		// Pieces split on runs of ',' and ')'; empty pieces keep their index (spec 4.4).
		while (true) {
			size_t n = strcspn(p, ",)");
			if (n) {
				if (!weft_rulesc_grow((void **)&m.params, &cap, m.nparams + 1,
				                      sizeof *m.params) ||
				    !(m.pidx = realloc(m.pidx, cap * sizeof *m.pidx)) ||
				    !(m.params[m.nparams] = strndup(p, n)))
					goto fail_nomem;
				m.pidx[m.nparams++] = idx;
			}
			idx++;
			p += n;
			if (!*p)
				break;
			p += strspn(p, ",)");
		}
	}
	m.name = def_name(c, t, lower, "Invalid macro name.", "Macro name is a reserved word.");
	free(lower);
	if (!m.name)
		goto fail;
	for (size_t i = 0; i < c->nmacros; i++)
		if (!strcmp(c->macros[i].name, m.name)) {
			fail_tok(c, t, "Multiple definition of macro name.");
			goto fail;
		}
	m.body = b->v + 1;
	m.nbody = b->n - 1;
	if (!weft_rulesc_grow((void **)&c->macros, &c->capmacros, c->nmacros + 1,
	                      sizeof *c->macros))
		goto fail_nomem;
	c->macros[c->nmacros++] = m;
	return true;
fail_nomem:
	weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
fail:
	for (size_t i = 0; i < m.nparams; i++)
		free(m.params[i]);
	free(m.params);
	free(m.pidx);
	free(m.name);
	return false;
}

static bool find_named(const struct rc_named *v, size_t n, const char *s, uint32_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, s)) {
			if (out)
				*out = v[i].value;
			return true;
		}
	return false;
}

static bool add_named(struct rc_ctx *c, struct rc_named **v, size_t *n, const struct rc_tok *t,
                      uint32_t value, const char *invalid, const char *dup)
{
	char *name = weft_rulesc_lower_dup(t->text);
	size_t cap = *n;
	if (!name || !weft_rulesc_is_name(name) || find_named(*v, *n, name, NULL)) {
		if (name)
			fail_tok(c, t, weft_rulesc_is_name(name) ? dup : invalid);
		else
			weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
		free(name);
		return false;
	}
	if (!weft_rulesc_grow((void **)v, &cap, *n + 1, sizeof **v)) {
		free(name);
		weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
		return false;
	}
	(*v)[(*n)++] = (struct rc_named){name, value};
	return true;
}

// `flag BITS NAME`: bits is a comma list of indexes 0..31 and earlier flag names (spec 4.2).
static bool flag_bits(struct rc_ctx *c, const struct rc_tag *tag, const struct rc_tok *t,
                      uint32_t *mask)
{
	const char *p = t->text;
	char piece[64];
	*mask = 0;
	do {
		size_t n = strcspn(p, ",");
		uint32_t v;
		int64_t bit;
		if (n >= sizeof piece)
			return fail_tok(c, t,
			                "Bit index invalid, out of range, or references an "
			                "undefined flag name.");
		for (size_t i = 0; i < n; i++)
			piece[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
		piece[n] = 0;
		if (find_named(tag->flags, tag->nflags, piece, &v)) {
			*mask |= v;
		} else {
			bit = weft_rulesc_num(piece);
			if (bit < 0 || bit > 31)
				return fail_tok(c, t,
				                "Bit index invalid, out of range, or references "
				                "an undefined flag name.");
			*mask |= (uint32_t)1 << bit; // weft: unsigned (spec 4.2 DEFECT)
		}
		p += n;
		if (!*p)
			return true;
		p += strspn(p, ","); // a trailing run of commas leaves an empty piece: refused
	} while (true);
}

// One directive of a tag body at b->v[*k]; advances *k past its arguments.
static bool tag_directive(struct rc_ctx *c, const struct rc_block *b, size_t *k, struct rc_tag *tag,
                          bool *has_id, const struct rc_tok **dflt)
{
	const struct rc_tok *t = def_tok(c, b, *k), *a1, *a2;
	char kw[8];
	uint32_t mask;
	int64_t v;
	if (!t)
		return false;
	snprintf(kw, sizeof kw, "%s", t->text);
	for (char *q = kw; *q; q++)
		*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
	if (strlen(t->text) >= sizeof kw)
		kw[0] = 0;
	if (!strcmp(kw, "id")) {
		if (*has_id)
			return fail_tok(c, t, "Duplicate tag id definition.");
		if (*k + 1 >= b->n)
			return fail_tok(c, t, "Missing numeric value for ID.");
		if (!(a1 = def_tok(c, b, ++*k)))
			return false;
		v = weft_rulesc_num(a1->text);
		if (v < 0 || v > 0xffffffff)
			return fail_tok(c, a1, "Invalid or out of range tag ID.");
		tag->id = (uint32_t)v;
		*has_id = true;
	} else if (!strcmp(kw, "default")) {
		if (*dflt)
			return fail_tok(c, t, "Duplicate tag default directive.");
		if (*k + 1 >= b->n)
			return fail_tok(c, t, "Missing value for default.");
		if (!(*dflt = def_tok(c, b, ++*k)))
			return false;
	} else if (!strcmp(kw, "flag") || !strcmp(kw, "enum")) {
		bool flag = kw[0] == 'f';
		if (*k + 2 >= b->n)
			return fail_tok(c, t,
			                flag ? "Missing tag flag name or bit index."
			                     : "Missing tag enum name or value.");
		if (!(a1 = def_tok(c, b, ++*k)))
			return false;
		if (flag) {
			if (!flag_bits(c, tag, a1, &mask))
				return false;
		} else {
			v = weft_rulesc_num(a1->text);
			if (v < 0 || v > 0xffffffff)
				return fail_tok(c, a1, "Tag enum value invalid or out of range.");
			mask = (uint32_t)v;
		}
		if (!(a2 = def_tok(c, b, ++*k)))
			return false;
		return flag ? add_named(c, &tag->flags, &tag->nflags, a2, mask,
		                        "Invalid or reserved flag name.",
		                        "Duplicate flag name in tag definition.")
		            : add_named(c, &tag->enums, &tag->nenums, a2, mask,
		                        "Invalid or reserved tag enum name.",
		                        "Duplicate enum name in tag definition.");
	} else {
		return fail_tok(c, t, "Unrecognized keyword in tag definition.");
	}
	return true;
}

static void tag_clear(struct rc_tag *t)
{
	for (size_t i = 0; i < t->nenums; i++)
		free(t->enums[i].name);
	for (size_t i = 0; i < t->nflags; i++)
		free(t->flags[i].name);
	free(t->enums);
	free(t->flags);
	free(t->name);
}

static bool define_tag(struct rc_ctx *c, const struct rc_block *b)
{
	const struct rc_tok *t = def_tok(c, b, 0), *dflt = NULL;
	struct rc_tag tag = {0};
	bool has_id = false;
	if (!t)
		return false;
	tag.name = def_name(c, t, t->text, "Invalid tag name.", "Tag name is a reserved word.");
	if (!tag.name)
		return false;
	for (size_t i = 0; i < c->ntags; i++)
		if (!strcmp(c->tags[i].name, tag.name)) {
			fail_tok(c, t, "Multiple definition of tag name.");
			goto fail;
		}
	for (size_t k = 1; k < b->n; k++)
		if (!tag_directive(c, b, &k, &tag, &has_id, &dflt))
			goto fail;
	if (!has_id) {
		fail_tok(c, t, "Tag definition is missing a numeric ID.");
		goto fail;
	}
	if (dflt) { // an enum name, then a flag name, then a number (spec 4.2)
		tag.has_default = true;
		if (!find_named(tag.enums, tag.nenums, dflt->text, &tag.dflt) &&
		    !find_named(tag.flags, tag.nflags, dflt->text, &tag.dflt))
			tag.dflt = weft_rulesc_default_value(dflt->text);
	}
	if (!weft_rulesc_grow((void **)&c->tags, &c->captags, c->ntags + 1, sizeof *c->tags)) {
		weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
		goto fail;
	}
	c->tags[c->ntags++] = tag;
	return true;
fail:
	tag_clear(&tag);
	return false;
}

static bool define_cap(struct rc_ctx *c, const struct rc_block *b)
{
	const struct rc_tok *t = def_tok(c, b, 0);
	struct rc_cap cap = {0};
	size_t rcap = 0;
	bool has_id = false;
	if (!t)
		return false;
	cap.name = def_name(c, t, t->text, "Invalid capability name.",
	                    "Capability name is a reserved word.");
	if (!cap.name)
		return false;
	for (size_t i = 0; i < c->ncaps; i++)
		if (!strcmp(c->caps[i].name, cap.name)) {
			fail_tok(c, t, "Multiple definition of capability name.");
			goto fail;
		}
	for (size_t k = 1; k < b->n; k++) {
		const struct rc_tok *d = weft_rulesc_tok(c, &b->v[k]), *val;
		int64_t id;
		if (d && !strcasecmp(d->text, "id")) {
			if (has_id) {
				fail_tok(c, d, "Duplicate id directive in capability definition.");
				goto fail;
			}
			if (k + 1 >= b->n) {
				fail_tok(c, d, "Missing value for ID.");
				goto fail;
			}
			val = weft_rulesc_tok(c, &b->v[++k]);
			id = val ? weft_rulesc_num(val->text) : -1;
			if (id < 0 || id > 0xffffffff) {
				fail_tok(c, d, "Invalid or out of range capability ID.");
				goto fail;
			}
			for (size_t i = 0; i < c->ncaps; i++)
				if (c->caps[i].id == id) {
					fail_tok(c, d, "Duplicate capability ID.");
					goto fail;
				}
			cap.id = (uint32_t)id;
			has_id = true;
		} else if (d && !strcasecmp(d->text, "default")) {
			cap.dflt = true;
		} else {
			if (!weft_rulesc_grow((void **)&cap.rules, &rcap, cap.nrules + 1,
			                      sizeof *cap.rules)) {
				weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
				goto fail;
			}
			cap.rules[cap.nrules++] = b->v[k];
		}
	}
	if (!has_id) {
		fail_tok(c, t, "Capability definition is missing a numeric ID.");
		goto fail;
	}
	if (!weft_rulesc_grow((void **)&c->caps, &c->capcaps, c->ncaps + 1, sizeof *c->caps)) {
		weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
		goto fail;
	}
	c->caps[c->ncaps++] = cap;
	return true;
fail:
	free(cap.rules);
	free(cap.name);
	return false;
}

// Splits the top level into definitions and the base rule list (spec 4).
static bool definitions(struct rc_ctx *c, struct rc_elem **base, size_t *nbase)
{
	const struct rc_block *root = c->root;
	size_t cap = 0;
	for (size_t i = 0; i < root->n; i++) {
		const struct rc_tok *t = weft_rulesc_tok(c, &root->v[i]);
		const struct rc_block *next = i + 1 < root->n ? root->v[i + 1].blk : NULL;
		int kind = !t                              ? 0
		           : !strcasecmp(t->text, "macro") ? 1
		           : !strcasecmp(t->text, "tag")   ? 2
		           : !strcasecmp(t->text, "cap")   ? 3
		                                           : 0;
		static const char *const missing[] = {NULL, "Macro definition is missing name.",
		                                      "Tag definition is missing name.",
		                                      "Capability definition is missing name."};
		bool ok;
		if (!kind) {
			if (!weft_rulesc_grow((void **)base, &cap, *nbase + 1, sizeof **base)) {
				weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
				return false;
			}
			(*base)[(*nbase)++] = root->v[i];
			continue;
		}
		if (!next || next->v[0].blk)
			return fail_tok(c, t, missing[kind]);
		ok = kind == 1   ? define_macro(c, next)
		     : kind == 2 ? define_tag(c, next)
		                 : define_cap(c, next);
		if (!ok)
			return false;
		i++;
	}
	return true;
}

static json_t *tag_json(const struct rc_tag *t, bool full)
{
	json_t *o = json_object(), *e = json_object(), *f = json_object();
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "default", t->has_default ? json_integer(t->dflt) : json_null());
	for (size_t i = 0; full && i < t->nenums; i++)
		json_object_set_new(e, t->enums[i].name, json_integer(t->enums[i].value));
	for (size_t i = 0; full && i < t->nflags; i++)
		json_object_set_new(f, t->flags[i].name, json_integer(t->flags[i].value));
	if (full) {
		json_object_set_new(o, "enums", e);
		json_object_set_new(o, "flags", f);
	} else {
		json_decref(e);
		json_decref(f);
	}
	return o;
}

// The reference wrapper's value (spec 1.2), built after everything rendered.
static json_t *wrapper(struct rc_ctx *c, json_t *rules)
{
	json_t *w = json_object(), *cfg = json_object(), *caps = json_array(), *tags = json_array(),
	       *cbn = json_object(), *tbn = json_object();
	for (size_t i = 0; i < c->ncaps; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(c->caps[i].id));
		json_object_set_new(o, "default", json_boolean(c->caps[i].dflt));
		json_object_set_new(o, "rules", json_incref(c->caps[i].out));
		json_array_append_new(caps, o);
		json_object_set_new(cbn, c->caps[i].name, json_integer(c->caps[i].id));
	}
	for (size_t i = 0; i < c->ntags; i++) {
		json_array_append_new(tags, tag_json(&c->tags[i], false));
		json_object_set_new(tbn, c->tags[i].name, tag_json(&c->tags[i], true));
	}
	json_object_set(cfg, "rules", rules);
	json_object_set_new(cfg, "capabilities", caps);
	json_object_set_new(cfg, "tags", tags);
	json_object_set_new(w, "config", cfg);
	json_object_set_new(w, "capabilitiesByName", cbn);
	json_object_set_new(w, "tagsByName", tbn);
	return w;
}

static void ctx_clear(struct rc_ctx *c)
{
	for (size_t i = 0; i < c->nblk; i++) {
		free(c->blocks[i]->v);
		free(c->blocks[i]);
	}
	for (size_t i = 0; i < c->nmacros; i++) {
		for (size_t k = 0; k < c->macros[i].nparams; k++)
			free(c->macros[i].params[k]);
		free(c->macros[i].params);
		free(c->macros[i].pidx);
		free(c->macros[i].name);
	}
	for (size_t i = 0; i < c->ntags; i++)
		tag_clear(&c->tags[i]);
	for (size_t i = 0; i < c->ncaps; i++) {
		free(c->caps[i].rules);
		free(c->caps[i].name);
		json_decref(c->caps[i].out);
	}
	free(c->blocks);
	free(c->macros);
	free(c->tags);
	free(c->caps);
	free(c->toks);
	free(c->buf);
}

json_t *weft_rulesc_compile(const char *src, size_t len, const char *filename, char *err,
                            size_t errcap)
{
	struct rc_ctx c = {.file = filename ? filename : "<rules>", .err = err, .errcap = errcap};
	struct rc_elem *base = NULL;
	size_t nbase = 0;
	json_t *rules = NULL, *out = NULL;
	if (errcap)
		err[0] = 0;
	if (!weft_rulesc_lex(&c, src, len) || !definitions(&c, &base, &nbase))
		goto done;
	for (size_t i = 0; i < c.ncaps; i++) { // capabilities first (spec 5)
		c.caps[i].out = json_array();
		if (!weft_rulesc_render(&c, c.caps[i].rules, c.caps[i].nrules, NULL, c.caps[i].out))
			goto done;
	}
	rules = json_array();
	if (!weft_rulesc_render(&c, base, nbase, NULL, rules))
		goto done;
	out = wrapper(&c, rules);
	if (!out)
		weft_rulesc_fail(&c, 0, 0, NULL, "Out of memory.");
done:
	json_decref(rules);
	free(base);
	ctx_clear(&c);
	return out;
}
