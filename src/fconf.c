/* fconf.c - endpoints and provider settings for the background fetches */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fconf.h"
#include "prompt.h"
#include "util.h"

const char *const provider_names[P_COUNT] = {"judge", "mc", "prm", "calc"};
const char *const ep_kind_names[EP_NKIND] = {"chat", "completions", "pooling"};

int provider_find(const char *name)
{
	for (int i = 0; i < P_COUNT; i++)
		if (!strcmp(name, provider_names[i]))
			return i;
	return -1;
}

void fconf_init(struct fconf *c)
{
	memset(c, 0, sizeof(*c));
	c->judge_samples = 1;
	c->mc_strategy = MC_VANILLA;
	c->mc_rollouts = 8;
	c->mc_batch = 2;
	c->mc_hits = 2;
	c->mc_budget = 256;
	c->prm_style = PRM_QWEN;
}

static void ep_free(struct endpoint *e)
{
	free(e->name);
	free(e->url);
	free(e->model);
	free(e->key_env);
	free(e->key_file);
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
	free(c->judge_template);
	free(c->mc_template);
	free(c->prm_template);
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
			if (p < 0 || p == P_CALC)
				return BAD("endpoint %s: unknown provider \"%s\" (judge, mc, prm)",
					   e->name, argv[i]);
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

static int provider_line(struct fconf *c, int argc, const char *const *argv, char *err,
			 size_t errlen)
{
	if (argc != 4)
		return BAD("usage: provider NAME OPTION VALUE");
	int p = provider_find(argv[1]);
	const char *opt = argv[2], *v = argv[3];
	long l;
	if (p < 0)
		return BAD("unknown provider \"%s\" (judge, mc, prm, calc)", argv[1]);
	if (p == P_JUDGE && !strcmp(opt, "samples")) {
		if (parse_long(v, 1, 64, &l))
			return BAD("provider judge: samples is 1 to 64");
		c->judge_samples = (int)l;
	} else if (!strcmp(opt, "template") && p != P_CALC) {
		char **t = p == P_JUDGE ? &c->judge_template :
			   p == P_MC ? &c->mc_template : &c->prm_template;
		struct buf b = {0};
		if (v[0] == '~' && v[1] == '/' && getenv("HOME"))
			buf_printf(&b, "%s%s", getenv("HOME"), v + 1);
		else
			buf_puts(&b, v);
		free(*t);
		*t = b.data;
	} else if (p == P_MC && !strcmp(opt, "strategy")) {
		if (!strcmp(v, "vanilla"))
			c->mc_strategy = MC_VANILLA;
		else if (!strcmp(v, "bisect"))
			c->mc_strategy = MC_BISECT;
		else
			return BAD("provider mc: strategy is vanilla or bisect");
	} else if (p == P_MC && !strcmp(opt, "rollouts")) {
		if (parse_long(v, 1, 1024, &l))
			return BAD("provider mc: rollouts is 1 to 1024");
		c->mc_rollouts = (int)l;
	} else if (p == P_MC && !strcmp(opt, "batch")) {
		if (parse_long(v, 1, 1024, &l))
			return BAD("provider mc: batch is 1 to 1024");
		c->mc_batch = (int)l;
	} else if (p == P_MC && !strcmp(opt, "hits")) {
		if (parse_long(v, 1, 1024, &l))
			return BAD("provider mc: hits is 1 to 1024");
		c->mc_hits = (int)l;
	} else if (p == P_MC && !strcmp(opt, "budget")) {
		if (parse_long(v, 1, 1000000, &l))
			return BAD("provider mc: budget is 1 to 1000000 rollouts");
		c->mc_budget = (int)l;
	} else if (p == P_MC && !strcmp(opt, "chat")) {
		if (parse_bool(v, &c->mc_chat))
			return BAD("provider mc: chat is yes or no");
	} else if (p == P_PRM && !strcmp(opt, "style")) {
		if (!strcmp(v, "qwen"))
			c->prm_style = PRM_QWEN;
		else if (!strcmp(v, "shepherd"))
			c->prm_style = PRM_SHEPHERD;
		else
			return BAD("provider prm: style is qwen or shepherd");
	} else {
		return BAD("provider %s: unknown option \"%s\"", argv[1], opt);
	}
	return 0;
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
	switch (p) {
	case P_JUDGE: return EP_CHAT;
	case P_MC: return c->mc_chat ? EP_CHAT : EP_COMPLETIONS;
	case P_PRM: return c->prm_style == PRM_QWEN ? EP_POOLING : EP_COMPLETIONS;
	default: return -1;
	}
}

int endpoint_serves(const struct endpoint *e, int p)
{
	if (p == P_CALC)
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
	for (int p = 0; p < P_COUNT; p++) {
		if (!(mask >> p & 1) || p == P_CALC)
			continue;
		const struct endpoint *first = fconf_first(c, p);
		if (!first)
			return BAD("no endpoint serves %s: configure one with kind %s "
				   "(see stepmarkrc(5), ENDPOINTS)", provider_names[p],
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
					   first->name, e->name, provider_names[p], first->model,
					   e->model);
			if (!e->key && read_key(e, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

int fconf_uses_template(const struct fconf *c, int p)
{
	return p != P_CALC && !(p == P_MC && c->mc_chat);
}

char *fconf_params(const struct fconf *c, int p, char *err, size_t errlen)
{
	struct buf b = {0};
	buf_printf(&b, "{\"provider\":\"%s\"", provider_names[p]);
	if (p != P_CALC) {
		const struct endpoint *e = fconf_first(c, p);
		if (!e || !e->model) {
			snprintf(err, errlen, "no endpoint with a model serves %s",
				 provider_names[p]);
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
	switch (p) {
	case P_JUDGE:
		buf_printf(&b, ",\"samples\":%d", c->judge_samples);
		break;
	case P_MC:
		buf_printf(&b, ",\"strategy\":\"%s\",\"rollouts\":%d,\"budget\":%d,\"chat\":%d",
			   c->mc_strategy == MC_BISECT ? "bisect" : "vanilla",
			   c->mc_rollouts, c->mc_budget, c->mc_chat);
		if (c->mc_strategy == MC_BISECT)
			buf_printf(&b, ",\"batch\":%d,\"hits\":%d", c->mc_batch, c->mc_hits);
		break;
	case P_PRM:
		buf_printf(&b, ",\"style\":\"%s\"",
			   c->prm_style == PRM_QWEN ? "qwen" : "shepherd");
		break;
	}
	buf_putc(&b, '}');
	return b.data;
}
