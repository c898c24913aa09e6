/* oai.c - OpenAI-compatible responses: validation and retry rules */
#define _GNU_SOURCE /* timegm */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oai.h"

void oai_clean(char *out, size_t outlen, const char *msg, size_t max,
	       const char *secret)
{
	size_t o = 0, slen = secret ? strlen(secret) : 0;
	const char *p = msg, *end = msg + strlen(msg);
	size_t n = (size_t)(end - msg);
	if (n > max)
		n = max;
	while (p < msg + n && o + 8 < outlen) {
		if (slen >= 4 && (size_t)(end - p) >= slen && !memcmp(p, secret, slen)) {
			memcpy(out + o, "[key]", 5);
			o += 5;
			p += slen;
			continue;
		}
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f) {
			out[o++] = ' ';
			p++;
			continue;
		}
		size_t len = 1;
		if (c >= 0x80) {
			len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (p + len > msg + n || !utf8_valid(p, len)) {
				out[o++] = '?';
				p++;
				continue;
			}
		}
		memcpy(out + o, p, len);
		o += len;
		p += len;
	}
	if (p < end && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static const char *str_of(const struct jnode *n)
{
	return n && n->type == J_STR ? n->str : NULL;
}

/* The message and code of an error object, flat or nested. */
static void error_fields(const struct jnode *root, const char **msg,
			 const char **code, long long *icode, const char **type)
{
	const struct jnode *e = jget(root, "error");
	const struct jnode *src = e && e->type == J_OBJ ? e : root;
	*msg = str_of(jget(src, "message"));
	if (!*msg && e && e->type == J_STR)
		*msg = e->str;
	*type = str_of(jget(src, "type"));
	const struct jnode *c = jget(src, "code");
	*code = str_of(c);
	*icode = 0;
	if (c && c->type == J_NUM)
		jint(c, icode);
}

static int retryable(long status)
{
	return status == 408 || status == 409 || status == 429 ||
	       (status >= 500 && status <= 599);
}

static int is_quota(const char *code, const char *type, const char *msg)
{
	return (code && strstr(code, "quota")) || (type && strstr(type, "quota")) ||
	       (msg && strstr(msg, "insufficient_quota"));
}

#define SAY(v, ...) (r->verdict = (v), snprintf(r->why, sizeof(r->why), __VA_ARGS__), r->verdict)

int oai_check(struct arena *a, int kind, long status, const char *transport,
	      const char *body, size_t len, int n, struct oai_resp *r)
{
	memset(r, 0, sizeof(*r));
	char clean[240];
	if (status == 0) {
		oai_clean(clean, sizeof(clean), transport ? transport : "transfer failed", 200, NULL);
		return SAY(OAI_RETRY, "%s", clean);
	}
	const struct jnode *root = len ? jparse(a, body, len) : NULL;
	if (root && root->type != J_OBJ)
		root = NULL;
	const char *msg = NULL, *code = NULL, *type = NULL;
	long long icode = 0;
	int has_error = 0;
	if (root) {
		const struct jnode *e = jget(root, "error");
		const char *object = str_of(jget(root, "object"));
		has_error = (e && e->type != J_NULL) || (object && !strcmp(object, "error"));
		if (has_error)
			error_fields(root, &msg, &code, &icode, &type);
	}
	if (msg)
		oai_clean(clean, sizeof(clean), msg, 200, NULL);
	else if (status < 200 || status > 299)
		snprintf(clean, sizeof(clean), "%s body of %zu bytes",
			 root ? "a JSON" : len && body[0] == '<' ? "an HTML" : "a", len);
	else
		snprintf(clean, sizeof(clean), "no message");
	/* llama.cpp: "Only one completion choice is allowed" (older builds),
	 * or n (n_cmpl) above its slots (newer ones) */
	if (n > 1 && msg && (strcasestr(msg, "only one completion choice") ||
			     strstr(msg, "n_cmpl") || strcasestr(msg, "n > 1")))
		r->no_n = 1;
	if (status < 200 || status > 299) {
		if (is_quota(code, type, msg))
			return SAY(OAI_FAIL, "HTTP %ld: quota exhausted: %s", status, clean);
		return SAY(retryable(status) ? OAI_RETRY : OAI_FAIL, "HTTP %ld: %s", status, clean);
	}
	if (!root)
		return SAY(OAI_RETRY, "HTTP %ld with a malformed JSON body (%zu bytes)", status, len);
	if (has_error) {
		if (is_quota(code, type, msg))
			return SAY(OAI_FAIL, "quota exhausted: %s", clean);
		if (icode >= 400 && icode < 500 && !retryable((long)icode))
			return SAY(OAI_FAIL, "HTTP %ld carrying error %lld: %s", status, icode, clean);
		return SAY(OAI_RETRY, "HTTP %ld carrying an error: %s", status, clean);
	}
	const struct jnode *usage = jget(root, "usage");
	if (usage && usage->type == J_OBJ) {
		long long v;
		if (!jint(jget(usage, "prompt_tokens"), &v))
			r->tokens_in = (long)v;
		if (!jint(jget(usage, "completion_tokens"), &v))
			r->tokens_out = (long)v;
	}
	if (kind == OAI_POOLING) {
		const struct jnode *d = jget(root, "data");
		if (!d || d->type != J_ARR || d->len != 1 || !d->child)
			return SAY(OAI_RETRY, "a pooling response without one data item");
		const struct jnode *rows = jget(d->child, "data");
		if (!rows || rows->type != J_ARR)
			return SAY(OAI_RETRY, "a pooling response without data rows");
		r->pooling = rows;
		return r->verdict = OAI_OK;
	}
	const struct jnode *ch = jget(root, "choices");
	if (!ch || ch->type != J_ARR)
		return SAY(OAI_RETRY, "a response without choices");
	if ((int)ch->len != n) { /* a short reply is malformed: asked again */
		r->short_reply = 1;
		return SAY(OAI_RETRY, "asked for %d choice%s, got %zu", n, n == 1 ? "" : "s",
			   ch->len);
	}
	r->choices = arena_alloc(a, (ch->len + 1) * sizeof(*r->choices));
	memset(r->choices, 0, (ch->len + 1) * sizeof(*r->choices));
	r->nchoices = ch->len;
	char *filled = arena_alloc(a, ch->len + 1);
	memset(filled, 0, ch->len + 1);
	size_t i = 0;
	for (const struct jnode *c = ch->child; c; c = c->next, i++) {
		struct oai_choice *o = &r->choices[i];
		long long idx = (long long)i;
		const struct jnode *ix = jget(c, "index");
		if (ix && (jint(ix, &idx) || idx < 0 || idx >= (long long)ch->len))
			return SAY(OAI_RETRY, "choice %zu has a bad index", i);
		if (filled[idx]++) /* each index once: else a choice is missing */
			return SAY(OAI_RETRY, "choice index %lld repeats", idx);
		o = &r->choices[idx];
		const struct jnode *fr = jget(c, "finish_reason");
		o->finish = str_of(fr) ? fr->str : "";
		if (kind == OAI_CHAT) {
			const struct jnode *m = jget(c, "message");
			if (!m || m->type != J_OBJ)
				return SAY(OAI_RETRY, "choice %zu has no message", i);
			const struct jnode *content = jget(m, "content");
			if (content && content->type != J_STR && content->type != J_NULL)
				return SAY(OAI_RETRY, "choice %zu: content is a %s", i,
					   jtype_name(content->type));
			o->text = str_of(content);
			o->reasoning = str_of(jget(m, "reasoning_content"));
			if (!o->reasoning)
				o->reasoning = str_of(jget(m, "reasoning"));
			if (!o->text && !o->reasoning)
				return SAY(OAI_RETRY, "choice %zu has neither content nor reasoning", i);
		} else {
			o->text = str_of(jget(c, "text"));
			if (!o->text)
				return SAY(OAI_RETRY, "choice %zu has no text", i);
			/* OpenAI's completions: top_logprobs, one object per
			 * token; llama.cpp's: content, one {token, logprob,
			 * top_logprobs: [{token, logprob}]} per token */
			const struct jnode *lp = jget(c, "logprobs");
			const struct jnode *top = lp ? jget(lp, "top_logprobs") : NULL;
			const struct jnode *content = lp ? jget(lp, "content") : NULL;
			if (top && top->type == J_ARR && top->child)
				o->top_logprobs = top->child;
			else if (content && content->type == J_ARR && content->child &&
				 (top = jget(content->child, "top_logprobs")) && top->type == J_ARR)
				o->top_logprobs = top;
		}
	}
	return r->verdict = OAI_OK;
}

const char *oai_hint(const char *why, int kind)
{
	if (!why)
		return NULL;
	/* OpenAI's reasoning models: "Unsupported parameter: 'max_tokens' is
	 * not supported with this model. Use 'max_completion_tokens'" */
	if (strstr(why, "max_completion_tokens") && strstr(why, "max_tokens"))
		return "max-tokens-field max_completion_tokens";
	if ((strstr(why, "temperature") || strstr(why, "top_p")) &&
	    (strcasestr(why, "unsupported") || strcasestr(why, "not support") ||
	     strcasestr(why, "only the default")))
		return "sampling no";
	if (strstr(why, "reasoning_effort"))
		return "reasoning-effort default (not sent), or a value the model takes";
	if (kind == OAI_POOLING && strstr(why, "task"))
		return "pooling-task none (a server older than the task field), or the "
		       "task the server names";
	return NULL;
}

double oai_duration(const char *s)
{
	if (!s || !*s)
		return -1;
	double total = 0;
	const char *p = s;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0)
			return -1;
		p = end;
		if (!strncmp(p, "ms", 2))
			total += v / 1000, p += 2;
		else if (*p == 'h')
			total += v * 3600, p++;
		else if (*p == 'm')
			total += v * 60, p++;
		else if (*p == 's')
			total += v, p++;
		else if (!*p && p == end && total == 0)
			total = v; /* plain seconds */
		else
			return -1;
	}
	return total;
}

double oai_retry_after(const char *ms, const char *after)
{
	double s = -1;
	char *end;
	if (ms && *ms) {
		double v = strtod(ms, &end);
		if (end != ms && v >= 0)
			s = v / 1000;
	}
	if (s < 0 && after && *after) {
		const char *e2 = after;
		double v = strtod(after, &end);
		if (end)
			e2 = end;
		while (*e2 == ' ' || *e2 == '\r' || *e2 == '\n')
			e2++;
		if (e2 != after && !*e2 && v >= 0) {
			s = v;
		} else {
			struct tm tm = {0};
			const char *e = strptime(after, "%a, %d %b %Y %H:%M:%S", &tm);
			if (e) {
				double d = difftime(timegm(&tm), time(NULL));
				s = d > 0 ? d : 0;
			}
		}
	}
	if (s > 120)
		s = 120;
	return s;
}

double oai_backoff(int attempt, double base, double cap, uint64_t *rng)
{
	double d = base * pow(2, attempt > 1 ? attempt - 1 : 0);
	if (d > cap)
		d = cap;
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	double u = (double)(*rng >> 11) / 9007199254740992.0;
	return d * (0.5 + u);
}
