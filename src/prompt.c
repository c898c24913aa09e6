/* prompt.c - the prompts the providers send, from editable templates */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"
#include "prov.h"
#include "reference.h"

char *prompt_template(const struct fconf *c, int p, char *err, size_t errlen)
{
	const struct provider_ops *ops = providers[p];
	const char *path = c->tmpl[p];
	if (!ops->builtin) {
		snprintf(err, errlen, "%s sends no prompt: it has no template", ops->name);
		return NULL;
	}
	if (!path)
		return xstrdup(ops->builtin(c, p));
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s template %s: %s", ops->name, path,
			 strerror(errno));
		return NULL;
	}
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad || !b.data) {
		snprintf(err, errlen, "%s template %s: %s", ops->name, path,
			 bad ? "cannot read" : "empty");
		buf_free(&b);
		return NULL;
	}
	/* a test render catches unknown placeholders before any job runs */
	struct item it = {.problem = "", .nsteps = 0};
	struct buf out = {0};
	char why[200];
	if (prompt_render(b.data, &it, -1, MARK_QWEN, &out, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s template %s: %s", ops->name, path, why);
		buf_free(&b);
		buf_free(&out);
		return NULL;
	}
	buf_free(&out);
	return b.data;
}

/* "Step 12:" leads the text (Math-Shepherd's own steps carry it) */
static int step_numbered(const char *t)
{
	if (strncmp(t, "Step ", 5) != 0)
		return 0;
	t += 5;
	if (*t < '0' || *t > '9')
		return 0;
	while (*t >= '0' && *t <= '9')
		t++;
	return *t == ':';
}

static void put_agents(struct buf *out, const struct item *it)
{
	for (size_t i = 0; i < it->nsteps; i++) {
		const char *a = it->steps[i].agent;
		int seen = !a;
		for (size_t j = 0; j < i && !seen; j++)
			seen = it->steps[j].agent && !strcmp(it->steps[j].agent, a);
		if (!seen)
			buf_printf(out, "- %s\n", a);
	}
}

static void put_turns(struct buf *out, const struct item *it, const struct prompt_span *sp)
{
	for (int i = sp->lo < 0 ? 0 : sp->lo; i <= sp->hi && i < (int)it->nsteps; i++) {
		const struct step *st = &it->steps[i];
		buf_printf(out, "[turn %d] %s", i, st->agent ? st->agent : "(no agent)");
		if (st->role && st->agent && strcmp(st->role, st->agent))
			buf_printf(out, " (role: %s)", st->role);
		buf_printf(out, ":\n%s\n\n", st->text);
	}
}

/* The placeholders of agent traces: 1 when name is one (rendered), 0 not. */
static int trace_placeholder(struct buf *out, const char *name, size_t len, const struct item *it,
			     const struct prompt_span *sp)
{
#define IS(s) (len == strlen(s) && !strncmp(name, s, len))
	if (IS("agents"))
		put_agents(out, it);
	else if (IS("turns"))
		put_turns(out, it, sp);
	else if (IS("truth") && sp->truth && it->gold)
		buf_printf(out, "[Correct answer]\n%s\n\n", it->gold);
	else if (IS("truth"))
		;
	else if (IS("lo") || IS("hi") || IS("mid") || IS("mid_next"))
		buf_printf(out, "%d", IS("lo") ? sp->lo : IS("hi") ? sp->hi :
			   (sp->lo + sp->hi) / 2 + IS("mid_next"));
	else if (IS("agent"))
		buf_puts(out, sp->hi >= 0 && sp->hi < (int)it->nsteps && it->steps[sp->hi].agent ?
			 it->steps[sp->hi].agent : "(no agent)");
	else
		return 0;
#undef IS
	return 1;
}

static int render(const char *tmpl, const struct item *it, int upto, int style,
		  const struct prompt_span *sp, struct buf *out, char *err, size_t errlen);

int prompt_render(const char *tmpl, const struct item *it, int upto, int style,
		  struct buf *out, char *err, size_t errlen)
{
	struct prompt_span sp = {0, upto < 0 ? (int)it->nsteps - 1 : upto, 0};
	return render(tmpl, it, upto, style, &sp, out, err, errlen);
}

int prompt_render_span(const char *tmpl, const struct item *it, const struct prompt_span *sp,
		       struct buf *out, char *err, size_t errlen)
{
	return render(tmpl, it, sp->hi, MARK_QWEN, sp, out, err, errlen);
}

/* n bytes of s at out's end, inline: buf_puts was four calls a piece,
 * two pieces a step of every prefix */
static inline void put(struct buf *out, const char *s, size_t n)
{
	if (out->cap - out->len <= n)
		buf_grow(out, n);
	memcpy(out->data + out->len, s, n);
	out->len += n;
	out->data[out->len] = '\0';
}

static int render(const char *tmpl, const struct item *it, int upto, int style,
		  const struct prompt_span *sp, struct buf *out, char *err, size_t errlen)
{
	buf_reset(out);
	put(out, "", 0);
	int n = (int)it->nsteps;
	for (const char *p = tmpl; *p;) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			buf_putc(out, p[0]);
			p += 2;
			continue;
		}
		if (*p != '{') { /* the text up to the next brace, or the end */
			const char *e = p + 1 + strcspn(p + 1, "{}");
			put(out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		const char *e = strchr(p, '}');
		size_t len = e ? (size_t)(e - p - 1) : 0;
#define IS(name) (e && len == strlen(name) && !strncmp(p + 1, name, len))
		if (IS("problem")) {
			const char *t = it->problem ? it->problem : "";
			put(out, t, strlen(t));
		} else if (IS("reference")) {
			buf_puts(out, it->reference ? it->reference : "");
		} else if (IS("reference_steps")) {
			struct refsteps rs;
			ref_split_stored(it->reference, it->reference_steps, &rs);
			for (size_t j = 0; j < rs.n; j++) {
				char *t = ref_step_text(it->reference, &rs.s[j]);
				buf_printf(out, "%s<ref_%zu>\n%s\n</ref_%zu>", j ? "\n\n" : "", j, t, j);
				free(t);
			}
			refsteps_free(&rs);
		} else if (IS("steps")) {
			/* the step copied, not formatted: vsnprintf ran over
			 * each step's text twice once it outgrew the buffer */
			for (int i = 0; i < n; i++) {
				buf_printf(out, "%s<paragraph_%d>\n", i ? "\n\n" : "", i);
				buf_puts(out, it->steps[i].text);
				buf_printf(out, "\n</paragraph_%d>", i);
			}
		} else if (IS("prefix")) {
			for (int i = 0; i <= upto && i < n; i++) {
				put(out, "\n\n", i ? 2 : 0);
				put(out, it->steps[i].text, strlen(it->steps[i].text));
			}
		} else if (IS("marked")) {
			if (style == MARK_QWEN) {
				for (int i = 0; i < n; i++)
					buf_printf(out, "%s<extra_0>", it->steps[i].text);
			} else {
				/* the model card's input: "Step 1: ... ки\nStep 2: ... ки",
				 * scored by the token after the last tag */
				for (int i = 0; i <= upto && i < n; i++) {
					const char *t = it->steps[i].text;
					buf_puts(out, i ? "\n" : "");
					if (!step_numbered(t))
						buf_printf(out, "Step %d: ", i + 1);
					buf_printf(out, "%s \xd0\xba\xd0\xb8", t);
				}
			}
		} else if (!e || !trace_placeholder(out, p + 1, len, it, sp)) {
			snprintf(err, errlen, "unknown placeholder \"%.*s\" (problem, reference, "
				 "reference_steps, steps, prefix, marked, agents, turns, truth, lo, mid, "
				 "mid_next, hi, agent; {{ for a brace)",
				 e ? (int)(len + 2 > 40 ? 40 : len + 2) : 1, p);
			return -1;
		}
#undef IS
		p = e + 1;
	}
	return 0;
}
