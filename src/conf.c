/* conf.c - the config language: set, source, endpoint, provider, and the
 * directives the workbench adds (bind, color). A bad line is a warning
 * naming file:line; the rest runs. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "consensus.h"
#include "prov.h"
#include "util.h"

const char *const blind_names[] = {"no", "yes", "all", NULL};
const char *const ref_names[] = {"hidden", "right", "bottom", "auto", NULL};
#define FILTER_NAME(id, name, flags, cyc) name,
const char *const filter_names[] = {QUEUE_FILTERS(FILTER_NAME) NULL};
const char *const sort_names[] = {"id", "progress", NULL};
const char *const confirm_names[] = {"none", "decisions", NULL};

struct setting_info {
	const char *name;
	enum setting_kind kind;
	size_t off;
	long lo, hi;
	const char *const *words;
	const char *def;
};

#define SETTING_INFO(id, name, kind, field, lo, hi, words, def, help) \
	{name, kind, offsetof(struct settings, field), lo, hi, words, def},
static const struct setting_info settings_table[SET_COUNT] = {SETTINGS(SETTING_INFO)};
#define SETTING_NAME(id, name, kind, field, lo, hi, words, def, help) name,
const char *const setting_names[SET_COUNT + 1] = {SETTINGS(SETTING_NAME) NULL};
#define SETTING_HELP(id, name, kind, field, lo, hi, words, def, help) help,
const char *const setting_help[SET_COUNT + 1] = {SETTINGS(SETTING_HELP) NULL};

int conf_warn(FILE *warn, const char *where, const char *fmt, ...)
{
	if (warn) {
		va_list ap;
		va_start(ap, fmt);
		fprintf(warn, "%s: ", inert(where, 0));
		vfprintf(warn, fmt, ap);
		fputc('\n', warn);
		va_end(ap);
	}
	return 1;
}

/* ---- tokens: words, "quoted" or 'quoted', # starts a comment ---- */
const char *conf_tokenize(const char *line, struct toks *t)
{
	size_t o = 0;
	const char *p = line;
	t->n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n' || *p == '\r' || *p == '#')
			return NULL;
		if (t->n == CONF_MAXTOK)
			return "too many words";
		t->rest[t->n] = p;
		t->quoted[t->n] = *p == '"' || *p == '\'';
		t->v[t->n++] = t->buf + o;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			while (*p && *p != q) {
				if (*p == '\\' && q == '"' && p[1])
					p++;
				if (o + 2 >= sizeof(t->buf))
					return "line too long";
				t->buf[o++] = *p++;
			}
			if (*p != q)
				return "unterminated quote";
			p++;
		} else {
			while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
				if (o + 2 >= sizeof(t->buf))
					return "line too long";
				t->buf[o++] = *p++;
			}
		}
		t->buf[o++] = '\0';
	}
}

/* ---- settings ---- */
static int word_of(const char *s, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return i;
	return -1;
}

static int set_providers(unsigned *out, const char *val)
{
	/* "judge,calc", "judge calc", "none" */
	char words[256];
	unsigned m = 0;
	snprintf(words, sizeof(words), "%s", val);
	for (char *w = strtok(words, " ,"); w; w = strtok(NULL, " ,")) {
		if (!strcmp(w, "none") || !strcmp(w, "off"))
			continue;
		int p = provider_find(w);
		if (p < 0)
			return -1;
		m |= 1u << p;
	}
	*out = m;
	return 0;
}

int conf_set(struct conf *c, const char *name, const char *val, char *why, size_t n)
{
	int i = word_of(name, setting_names);
	if (i < 0) {
		snprintf(why, n, "no setting named \"%s\"", inert(name, 1));
		return -1;
	}
	const struct setting_info *s = &settings_table[i];
	void *field = (char *)&c->set + s->off;
	int rc = 0;
	long v;
	switch (s->kind) {
	case SK_STRING:
		if (!*val) {
			rc = -1;
		} else {
			free(*(char **)field);
			*(char **)field = xstrdup(val);
		}
		break;
	case SK_BOOL: {
		int b;
		if ((rc = parse_bool(val, &b)) == 0)
			*(int *)field = b;
		break;
	}
	case SK_INT:
		if ((rc = parse_long(val, s->lo, s->hi, &v)) == 0)
			*(int *)field = (int)v;
		break;
	case SK_REAL:
		rc = parse_double(val, (double)s->lo, (double)s->hi, (double *)field);
		break;
	case SK_WORD: {
		int w = word_of(val, s->words);
		int b;
		/* yes and no mean the second and first word (blind yes) */
		if (w < 0 && s->words == blind_names && parse_bool(val, &b) == 0)
			w = b;
		if (w < 0)
			rc = -1;
		else
			*(int *)field = w;
		break;
	}
	case SK_PROVIDERS:
		rc = set_providers((unsigned *)field, val);
		break;
	}
	if (rc < 0) {
		struct buf b = {0};
		if (s->words)
			for (int k = 0; s->words[k]; k++)
				buf_printf(&b, "%s%s", k ? ", " : " (", s->words[k]);
		else if (s->kind == SK_INT || s->kind == SK_REAL)
			buf_printf(&b, " (%ld to %ld", s->lo, s->hi);
		else if (s->kind == SK_BOOL)
			buf_puts(&b, " (yes or no");
		else if (s->kind == SK_PROVIDERS) {
			char names[200];
			provider_list(names, sizeof(names), -1);
			buf_printf(&b, " (%s or none", names);
		}
		snprintf(why, n, "bad value \"%s\" for %s%s%s", inert(val, 1), name,
			 b.len ? b.data : "", b.len ? ")" : "");
		buf_free(&b);
	}
	return rc;
}

/* A libpq connection string (the hub setting) as shown: a password in
 * it (password=..., or a URI's user:...@) as ***, never on a screen. */
static void hide_password(const char *v, char *out, size_t n)
{
	size_t o = 0;
	const char *at = strstr(v, "://") ? strchr(strstr(v, "://") + 3, '@') : NULL;
	const char *colon = at ? memchr(strstr(v, "://") + 3, ':', (size_t)(at - strstr(v, "://") - 3))
			       : NULL;
	for (const char *p = v; *p && o + 4 < n;) {
		if (p == colon) {
			o += (size_t)snprintf(out + o, n - o, ":***");
			p = at;
		} else if (!strncmp(p, "password=", 9)) {
			o += (size_t)snprintf(out + o, n - o, "password=***");
			p += 9 + strcspn(p + 9, " &");
		} else {
			out[o++] = *p++;
		}
	}
	out[o < n ? o : n - 1] = '\0';
}

void conf_value(const struct conf *c, int setting, char *out, size_t n)
{
	const struct setting_info *s = &settings_table[setting];
	const void *field = (const char *)&c->set + s->off;
	switch (s->kind) {
	case SK_STRING:
		if (setting == SET_HUB && *(char *const *)field)
			hide_password(*(char *const *)field, out, n);
		else
			snprintf(out, n, "%s", *(char *const *)field ? *(char *const *)field
								 : "(none)");
		break;
	case SK_BOOL:
		snprintf(out, n, "%s", *(const int *)field ? "yes" : "no");
		break;
	case SK_INT:
		snprintf(out, n, "%d", *(const int *)field);
		break;
	case SK_REAL:
		snprintf(out, n, "%g", *(const double *)field);
		break;
	case SK_WORD:
		snprintf(out, n, "%s", s->words[*(const int *)field]);
		break;
	case SK_PROVIDERS: {
		unsigned m = *(const unsigned *)field;
		size_t o = 0;
		out[0] = '\0';
		for (int p = 0; p < nproviders; p++)
			if (m >> p & 1 && o < n)
				o += (size_t)snprintf(out + o, n - o, "%s%s", o ? "," : "",
						      provider_name(p));
		if (!m)
			snprintf(out, n, "none");
		break;
	}
	}
}

static int do_set(struct conf *c, void *ctx, struct toks *t, const char *where, FILE *warn)
{
	(void)ctx;
	if (t->n < 3 && !(t->n == 4 && !strcmp(t->v[2], "=")))
		return conf_warn(warn, where, "set needs a name and a value");
	int eq = t->n >= 4 && !strcmp(t->v[2], "=");
	const char *val = eq ? t->v[3] : t->v[2];
	char words[256];
	if (!strcmp(t->v[1], "fetch") && !t->quoted[eq ? 3 : 2]) {
		/* fetch takes a list: the rest of the line */
		snprintf(words, sizeof(words), "%s", t->rest[eq ? 3 : 2]);
		words[strcspn(words, "#\r\n")] = '\0';
		val = words;
	} else if (t->n > (eq ? 4 : 3)) {
		return conf_warn(warn, where, "unexpected \"%s\" after the value",
				 inert(t->v[eq ? 4 : 3], 1));
	}
	char why[300];
	if (conf_set(c, t->v[1], val, why, sizeof(why)) < 0)
		return conf_warn(warn, where, "%s", why);
	return 0;
}

static int do_source(struct conf *c, void *ctx, struct toks *t, const char *where,
		     FILE *warn);

static int do_fetch_line(struct conf *c, void *ctx, struct toks *t, const char *where,
			 FILE *warn)
{
	(void)ctx;
	char why[300];
	if (fconf_line(&c->fetch, t->n, (const char *const *)t->v, why, sizeof(why)) < 0)
		return conf_warn(warn, where, "%s", inert(why, 1));
	return 0;
}

/* alias NAME SHORT: a short name for a long annotator name */
static int do_alias(struct conf *c, void *ctx, struct toks *t, const char *where, FILE *warn)
{
	(void)ctx;
	if (t->n != 3)
		return conf_warn(warn, where, "alias needs a name and a short name: alias NAME SHORT");
	char why[300];
	if (alias_add(&c->aliases, t->v[1], t->v[2], why, sizeof(why)) < 0)
		return conf_warn(warn, where, "%s", why);
	return 0;
}

static const struct conf_directive core[] = {
	{"set", do_set},
	{"alias", do_alias},
	{"source", do_source},
	{"endpoint", do_fetch_line},
	{"provider", do_fetch_line},
};

/* the workbench's directives, known when it does not run them */
static const char *const ui_only[] = {"bind", "color", "colour", NULL};

/* consensus RULE, RULE...: the rest of the line, to its comment */
static int do_consensus(struct conf *c, const char *rest, const char *where, FILE *warn)
{
	struct buf b = {0};
	size_t n = strcspn(rest, "#\r\n");
	buf_add(&b, rest, n);
	struct policy p;
	char why[300];
	int w = 0;
	if (policy_parse(b.data ? b.data : "", &p, why, sizeof(why)) < 0) {
		w = conf_warn(warn, where, "consensus: %s", why);
	} else {
		free(c->consensus);
		c->consensus = xstrdup(p.text);
		policy_free(&p);
	}
	buf_free(&b);
	return w;
}

static int run_line(struct conf *c, const char *line, const char *where, FILE *warn,
		    const char *file)
{
	const char *p = line + strspn(line, " \t");
	if (!strncmp(p, "consensus", 9) && (p[9] == ' ' || p[9] == '\t'))
		return do_consensus(c, p + 10, where, warn);
	struct toks t;
	const char *err = conf_tokenize(line, &t);
	if (err)
		return conf_warn(warn, where, "%s", err);
	if (t.n == 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(core); i++)
		if (!strcmp(t.v[0], core[i].name)) {
			if (core[i].run == do_source) /* relative to the file */
				return do_source(c, (void *)file, &t, where, warn);
			return core[i].run(c, NULL, &t, where, warn);
		}
	for (size_t i = 0; i < c->next; i++)
		if (!strcmp(t.v[0], c->ext[i].name))
			return c->ext[i].run(c, c->ext_ctx, &t, where, warn);
	if (!c->next && word_of(t.v[0], ui_only) >= 0)
		return 0;
	return conf_warn(warn, where,
			 "unknown command \"%s\" (set, alias, bind, color, source, endpoint, provider, "
			 "consensus)",
			 inert(t.v[0], 1));
}

static int do_source(struct conf *c, void *ctx, struct toks *t, const char *where,
		     FILE *warn)
{
	const char *file = ctx;
	if (t->n != 2)
		return conf_warn(warn, where, "source needs one file name");
	const char *p = t->v[1];
	struct buf path = {0};
	if (p[0] == '~' && p[1] == '/' && getenv("HOME"))
		buf_printf(&path, "%s%s", getenv("HOME"), p + 1);
	else if (p[0] != '/' && file && strrchr(file, '/'))
		buf_printf(&path, "%.*s/%s", (int)(strrchr(file, '/') - file), file, p);
	else
		buf_puts(&path, p);
	int w = 0;
	if (c->depth >= 8) {
		w = conf_warn(warn, where, "source nested too deeply");
	} else {
		c->depth++;
		FILE *f = fopen(path.data, "r");
		if (!f) {
			w = conf_warn(warn, where, "cannot read %s: %s", inert(path.data, 1),
				      strerror(errno));
		} else {
			fclose(f);
			w = conf_load(c, path.data, 0, warn);
		}
		c->depth--;
	}
	buf_free(&path);
	return w;
}

int conf_line(struct conf *c, const char *line, const char *where, FILE *warn)
{
	return run_line(c, line, where, warn, NULL);
}

/* 1 when others can write the config open as f, or another user owns it
 * (said); anyone who can could point an endpoint at their own server */
static int unsafe_file(FILE *f, const char *path, FILE *warn)
{
	struct stat st;
	if (fstat(fileno(f), &st) < 0)
		return 0;
	if (st.st_mode & 022)
		return conf_warn(warn, path, "others can write this config (mode %04o): anyone "
				 "could point an endpoint at their own server and collect your API "
				 "key, so none is sent for its endpoints; chmod go-w it",
				 (unsigned)(st.st_mode & 07777));
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return conf_warn(warn, path, "this config belongs to another user (uid %u): no "
				 "API key is sent for its endpoints; use a config of your own",
				 (unsigned)st.st_uid);
	return 0;
}

int conf_load(struct conf *c, const char *path, int optional, FILE *warn)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (optional && errno == ENOENT)
			return 0;
		return conf_warn(warn, path, "cannot read: %s", strerror(errno));
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long no = 0;
	int warnings = unsafe_file(f, path, warn);
	/* a config others can write taints what it sources too */
	const char *outer = c->fetch.untrusted;
	c->unsafe += warnings;
	if (warnings && !outer)
		c->fetch.untrusted = path;
	struct buf where = {0};
	while ((n = getline(&line, &cap, f)) >= 0) {
		no++;
		buf_reset(&where);
		buf_printf(&where, "%s:%ld", path, no);
		if (memchr(line, '\0', (size_t)n))
			warnings += conf_warn(warn, where.data, "a NUL byte in the line");
		else
			warnings += run_line(c, line, where.data, warn, path);
	}
	free(line);
	buf_free(&where);
	fclose(f);
	c->fetch.untrusted = outer;
	return warnings;
}

void conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	fconf_init(&c->fetch);
	char why[300];
	for (int i = 0; i < SET_COUNT; i++)
		if (settings_table[i].def[0])
			conf_set(c, setting_names[i], settings_table[i].def, why, sizeof(why));
}

void conf_done(struct conf *c)
{
	/* every string setting, from the table (a new one is freed too) */
	for (int i = 0; i < SET_COUNT; i++) {
		if (settings_table[i].kind != SK_STRING)
			continue;
		char **field = (char **)((char *)&c->set + settings_table[i].off);
		free(*field);
		*field = NULL;
	}
	free(c->consensus);
	c->consensus = NULL;
	fconf_free(&c->fetch);
	alias_free(&c->aliases);
}

const char *conf_annotator(const struct settings *set, const char *given)
{
	const char *user = getenv("USER");
	return given && *given ? given : set->annotator && *set->annotator ? set->annotator :
	       user && *user ? user : "anonymous";
}

char *conf_path_default(void)
{
	struct buf b = {0};
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x)
		buf_printf(&b, "%s/stepmark/config", x);
	else if (getenv("HOME"))
		buf_printf(&b, "%s/.config/stepmark/config", getenv("HOME"));
	return b.data;
}
