/* fconf.c - endpoints and provider settings for the background fetches */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fconf.h"
#include "prompt.h"
#include "prov.h"
#include "util.h"

const char *const ep_kind_names[EP_NKIND] = {"chat", "completions", "pooling"};

void fconf_init(struct fconf *c)
{
	memset(c, 0, sizeof(*c));
	for (int p = 0; p < nproviders; p++)
		for (int i = 0; providers[p]->opts && providers[p]->opts[i].name; i++)
			c->set[p][i] = providers[p]->opts[i].def;
}

static void ep_free(struct endpoint *e)
{
	free(e->name);
	free(e->url);
	free(e->model);
	free(e->key_env);
	free(e->key_file);
	free(e->untrusted);
	free(e->reasoning_effort);
	free(e->pooling_task);
	if (e->key) { /* do not leave the key in freed memory */
		memset(e->key, 0, strlen(e->key));
		free(e->key);
	}
}

void fconf_free(struct fconf *c)
{
	for (size_t i = 0; i < c->neps; i++)
		ep_free(&c->eps[i]);
	free(c->eps);
	for (int p = 0; p < P_MAX; p++)
		free(c->tmpl[p]);
	memset(c, 0, sizeof(*c));
}

static struct endpoint *ep_get(struct fconf *c, const char *name)
{
	for (size_t i = 0; i < c->neps; i++)
		if (!strcmp(c->eps[i].name, name))
			return &c->eps[i];
	c->eps = xrealloc(c->eps, (c->neps + 1) * sizeof(*c->eps));
	struct endpoint *e = &c->eps[c->neps++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->kind = EP_CHAT;
	e->concurrency = 8;
	e->timeout_ms = 600000;
	e->connect_timeout_ms = 10000;
	e->max_tokens = 2048;
	e->temperature = 0.7;
	e->top_p = 1.0;
	e->seed = 0;
	e->max_n = 16;
	e->retries = 5;
	e->sampling = 1;
	e->pooling_task = xstrdup("token_classify");
	return e;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

#define BAD(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static int endpoint_line(struct fconf *c, int argc, const char *const *argv, char *err,
			 size_t errlen)
{
	if (argc < 4)
		return BAD("usage: endpoint NAME OPTION VALUE...");
	const char *opt = argv[2], *v = argv[3];
	if (argc > 4 && strcmp(opt, "for") != 0)
		return BAD("endpoint %s: %s takes one value", argv[1], opt);
	struct endpoint *e = ep_get(c, argv[1]);
	if (c->untrusted && !e->untrusted)
		e->untrusted = xstrdup(c->untrusted);
	double d;
	long l;
	if (!strcmp(opt, "url")) {
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return BAD("endpoint %s: url must start with http:// or https://", e->name);
		set_str(&e->url, v);
		size_t n = strlen(e->url);
		while (n > 8 && e->url[n - 1] == '/')
			e->url[--n] = '\0';
	} else if (!strcmp(opt, "model")) {
		set_str(&e->model, v);
	} else if (!strcmp(opt, "kind")) {
		int k = -1;
		for (int i = 0; i < EP_NKIND; i++)
			if (!strcmp(v, ep_kind_names[i]))
				k = i;
		if (k < 0)
			return BAD("endpoint %s: kind is chat, completions or pooling", e->name);
		e->kind = k;
	} else if (!strcmp(opt, "for")) {
		unsigned m = 0;
		for (int i = 3; i < argc; i++) {
			int p = provider_find(argv[i]);
			if (p < 0 || !provider_online(p)) {
				char names[200];
				provider_list(names, sizeof(names), 1);
				return BAD("endpoint %s: %s provider \"%s\" (%s)", e->name,
					   p < 0 ? "unknown" : "no requests go to the", argv[i], names);
			}
			m |= 1u << p;
		}
		e->serves = m;
	} else if (!strcmp(opt, "key-env")) {
		set_str(&e->key_env, v);
	} else if (!strcmp(opt, "key-file")) {
		struct buf b = {0};
		if (v[0] == '~' && v[1] == '/' && getenv("HOME"))
			buf_printf(&b, "%s%s", getenv("HOME"), v + 1);
		else
			buf_puts(&b, v);
		free(e->key_file);
		e->key_file = b.data;
	} else if (!strcmp(opt, "concurrency")) {
		if (parse_long(v, 1, 4096, &l))
			return BAD("endpoint %s: concurrency is 1 to 4096", e->name);
		e->concurrency = (int)l;
	} else if (!strcmp(opt, "timeout")) {
		if (parse_double(v, 0.001, 86400, &d))
			return BAD("endpoint %s: timeout is seconds (up to 86400)", e->name);
		e->timeout_ms = (long)(d * 1000);
	} else if (!strcmp(opt, "connect-timeout")) {
		if (parse_double(v, 0.001, 3600, &d))
			return BAD("endpoint %s: connect-timeout is seconds", e->name);
		e->connect_timeout_ms = (long)(d * 1000);
	} else if (!strcmp(opt, "max-tokens")) {
		if (parse_long(v, 1, 10000000, &l))
			return BAD("endpoint %s: max-tokens is a positive number", e->name);
		e->max_tokens = (int)l;
	} else if (!strcmp(opt, "temperature")) {
		if (parse_double(v, 0, 10, &d))
			return BAD("endpoint %s: temperature is 0 to 10", e->name);
		e->temperature = d;
	} else if (!strcmp(opt, "top-p")) {
		if (parse_double(v, 0, 1, &d) || d == 0)
			return BAD("endpoint %s: top-p is in (0, 1]", e->name);
		e->top_p = d;
	} else if (!strcmp(opt, "seed")) {
		if (parse_long(v, 0, 2147483647L, &l))
			return BAD("endpoint %s: seed is 0 to 2147483647", e->name);
		e->seed = l;
	} else if (!strcmp(opt, "max-n")) {
		if (parse_long(v, 1, 1024, &l))
			return BAD("endpoint %s: max-n is 1 to 1024", e->name);
		e->max_n = (int)l;
	} else if (!strcmp(opt, "max-tokens-field")) {
		if (strcmp(v, "max_tokens") && strcmp(v, "max_completion_tokens"))
			return BAD("endpoint %s: max-tokens-field is max_tokens or "
				   "max_completion_tokens", e->name);
		e->completion_tokens = !strcmp(v, "max_completion_tokens");
	} else if (!strcmp(opt, "sampling")) {
		if (parse_bool(v, &e->sampling))
			return BAD("endpoint %s: sampling is yes or no", e->name);
	} else if (!strcmp(opt, "reasoning-effort")) {
		static const char *const efforts[] = {"none", "minimal", "low", "medium",
						      "high", "xhigh", NULL};
		int k = 0;
		while (efforts[k] && strcmp(efforts[k], v))
			k++;
		if (!efforts[k] && strcmp(v, "default"))
			return BAD("endpoint %s: reasoning-effort is default (not sent), none, "
				   "minimal, low, medium, high or xhigh", e->name);
		free(e->reasoning_effort);
		e->reasoning_effort = efforts[k] ? xstrdup(v) : NULL;
	} else if (!strcmp(opt, "pooling-task")) {
		if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyz_") != strlen(v))
			return BAD("endpoint %s: pooling-task is a task name "
				   "(token_classify, reward...) or none", e->name);
		free(e->pooling_task);
		e->pooling_task = strcmp(v, "none") ? xstrdup(v) : NULL;
	} else if (!strcmp(opt, "retries")) {
		if (parse_long(v, 0, 100, &l))
			return BAD("endpoint %s: retries is 0 to 100", e->name);
		e->retries = (int)l;
	} else {
		return BAD("endpoint %s: unknown option \"%s\"", e->name, opt);
	}
	return 0;
}

static int provider_opt(int p, const struct popt *o, long *slot,
			const char *v, char *err, size_t errlen)
{
	const char *name = provider_name(p);
	long l;
	int yes;
	switch (o->type) {
	case PO_INT:
		if (parse_long(v, o->min, o->max, &l))
			return BAD("provider %s: %s is %ld to %ld%s", name, o->name, o->min,
				   o->max, o->unit ? o->unit : "");
		*slot = l;
		return 0;
	case PO_BOOL:
		if (parse_bool(v, &yes))
			return BAD("provider %s: %s is yes or no", name, o->name);
		*slot = yes;
		return 0;
	default: {
		for (long k = 0; o->choices[k]; k++)
			if (!strcmp(v, o->choices[k])) {
				*slot = k;
				return 0;
			}
		struct buf b = {0};
		for (long k = 0; o->choices[k]; k++)
			buf_printf(&b, "%s%s", k ? (o->choices[k + 1] ? ", " : " or ") : "",
				   o->choices[k]);
		snprintf(err, errlen, "provider %s: %s is %s", name, o->name, b.data);
		buf_free(&b);
		return -1;
	}
	}
}

static int provider_line(struct fconf *c, int argc, const char *const *argv, char *err,
			 size_t errlen)
{
	if (argc != 4)
		return BAD("usage: provider NAME OPTION VALUE");
	int p = provider_find(argv[1]);
	const char *opt = argv[2], *v = argv[3];
	if (p < 0) {
		char names[200];
		provider_list(names, sizeof(names), -1);
		return BAD("unknown provider \"%s\" (%s)", argv[1], names);
	}
	const struct provider_ops *ops = providers[p];
	if (!strcmp(opt, "template") && ops->builtin) {
		struct buf b = {0};
		if (v[0] == '~' && v[1] == '/' && getenv("HOME"))
			buf_printf(&b, "%s%s", getenv("HOME"), v + 1);
		else
			buf_puts(&b, v);
		free(c->tmpl[p]);
		c->tmpl[p] = b.data;
		return 0;
	}
	for (int i = 0; ops->opts && ops->opts[i].name; i++)
		if (!strcmp(opt, ops->opts[i].name))
			return provider_opt(p, &ops->opts[i], &c->set[p][i], v, err, errlen);
	return BAD("provider %s: unknown option \"%s\"", argv[1], opt);
}

int fconf_line(struct fconf *c, int argc, const char *const *argv, char *err, size_t errlen)
{
	if (!strcmp(argv[0], "endpoint"))
		return endpoint_line(c, argc, argv, err, errlen);
	if (!strcmp(argv[0], "provider"))
		return provider_line(c, argc, argv, err, errlen);
	return BAD("not an endpoint or provider line");
}

/* which kind a provider needs from an endpoint, given the settings */
static int kind_for(const struct fconf *c, int p)
{
	return providers[p]->kind ? providers[p]->kind(c, p) : -1;
}

int endpoint_serves(const struct endpoint *e, int p)
{
	if (!provider_online(p))
		return 0;
	return e->serves ? (e->serves >> p) & 1 : 1;
}

/* the endpoints that serve p with the kind it needs */
static int serves(const struct fconf *c, const struct endpoint *e, int p)
{
	return endpoint_serves(e, p) && e->kind == kind_for(c, p) && e->url;
}

const struct endpoint *fconf_first(const struct fconf *c, int p)
{
	for (size_t i = 0; i < c->neps; i++)
		if (serves(c, &c->eps[i], p))
			return &c->eps[i];
	return NULL;
}

int fconf_endpoint_ok(const struct fconf *c, size_t i, int p)
{
	return serves(c, &c->eps[i], p);
}

const char *fconf_model(const struct fconf *c, int p)
{
	const struct endpoint *e = fconf_first(c, p);
	return e ? e->model : NULL;
}

static int read_key(struct endpoint *e, char *err, size_t errlen)
{
	/* whoever can write the config can point the url at their server */
	if ((e->key_env || e->key_file) && e->untrusted)
		return BAD("endpoint %s: set in %s, which others can write or own: its API key "
			   "is not sent (chmod go-w it, or move it to a file of yours)", e->name,
			   inert(e->untrusted, 1));
	if (e->key_env) {
		const char *k = getenv(e->key_env);
		if (!k || !*k)
			return BAD("endpoint %s: the environment variable %s (key-env) is not set",
				   e->name, e->key_env);
		e->key = xstrdup(k);
	} else if (e->key_file) {
		struct stat st;
		if (stat(e->key_file, &st) < 0)
			return BAD("endpoint %s: key-file %s: %s", e->name, e->key_file,
				   strerror(errno));
		if (st.st_mode & 077)
			return BAD("endpoint %s: key-file %s can be read by others (mode %04o): "
				   "chmod 600 it", e->name, e->key_file,
				   (unsigned)(st.st_mode & 07777));
		FILE *f = fopen(e->key_file, "r");
		if (!f)
			return BAD("endpoint %s: key-file %s: %s", e->name, e->key_file,
				   strerror(errno));
		char line[4096];
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			return BAD("endpoint %s: key-file %s is empty", e->name, e->key_file);
		e->key = xstrdup(line);
		memset(line, 0, sizeof(line));
	}
	for (const char *k = e->key; k && *k; k++)
		if ((unsigned char)*k < 0x21 || (unsigned char)*k > 0x7e)
			return BAD("endpoint %s: the API key holds a character that "
				   "cannot go in a header", e->name);
	return 0;
}

int fconf_resolve(struct fconf *c, unsigned mask, char *err, size_t errlen)
{
	for (int p = 0; p < nproviders; p++) {
		if (!(mask >> p & 1) || !provider_online(p))
			continue;
		const struct endpoint *first = fconf_first(c, p);
		if (!first)
			return BAD("no endpoint serves %s: configure one with kind %s "
				   "(see stepmarkrc(5), ENDPOINTS)", provider_name(p),
				   ep_kind_names[kind_for(c, p)]);
		for (size_t i = 0; i < c->neps; i++) {
			struct endpoint *e = &c->eps[i];
			if (!serves(c, e, p))
				continue;
			if (!e->model)
				return BAD("endpoint %s: no model", e->name);
			if (strcmp(e->model, first->model) != 0)
				return BAD("endpoints %s and %s both serve %s with different models "
					   "(%s, %s): give each model its own provider run",
					   first->name, e->name, provider_name(p), first->model,
					   e->model);
			if (!e->key && read_key(e, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

int fconf_uses_template(const struct fconf *c, int p)
{
	const struct provider_ops *ops = providers[p];
	return ops->builtin && (!ops->uses_template || ops->uses_template(c, p));
}

char *fconf_params(const struct fconf *c, int p, char *err, size_t errlen)
{
	struct buf b = {0};
	buf_printf(&b, "{\"provider\":\"%s\"", provider_name(p));
	if (provider_online(p)) {
		const struct endpoint *e = fconf_first(c, p);
		if (!e || !e->model) {
			snprintf(err, errlen, "no endpoint with a model serves %s",
				 provider_name(p));
			buf_free(&b);
			return NULL;
		}
		buf_puts(&b, ",\"model\":");
		buf_json_str(&b, e->model, strlen(e->model));
		buf_printf(&b, ",\"max_tokens\":%d,\"temperature\":%g,\"top_p\":%g,\"seed\":%ld",
			   e->max_tokens, e->temperature, e->top_p, e->seed);
		/* what changes the answers, only when not the default, so
		 * that the jobs of older stores keep their identity */
		if (!e->sampling)
			buf_puts(&b, ",\"sampling\":0");
		if (e->reasoning_effort)
			buf_printf(&b, ",\"reasoning_effort\":\"%s\"", e->reasoning_effort);
		/* a template the requests do not use is no part of them */
		if (fconf_uses_template(c, p)) {
			char *tmpl = prompt_template(c, p, err, errlen);
			if (!tmpl) {
				buf_free(&b);
				return NULL;
			}
			char hex[33];
			struct hasher h;
			hasher_init(&h);
			hasher_add(&h, tmpl, strlen(tmpl));
			hasher_hex(&h, hex);
			free(tmpl);
			buf_printf(&b, ",\"template\":\"%.12s\"", hex);
		}
	}
	if (providers[p]->params)
		providers[p]->params(c, p, &b);
	buf_putc(&b, '}');
	return b.data;
}
