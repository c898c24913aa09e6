/* taxonomy.c - error categories as data. A taxonomy is a text: one
 * category a line, "KEY | SHORT NAME | DESCRIPTION [| GROUP]", and
 * "alias NAME = KEY" lines for the names data uses; the built-ins are such
 * texts compiled in, one's own is a file, and one parser reads both. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taxonomy.h"
#include "util.h"

#define T(n) extern const char taxonomy_##n[];
#include "taxonomies.def"
#undef T

#define T(n) #n,
const char *const taxonomy_builtin_names[] = {
#include "taxonomies.def"
	NULL};
#undef T

#define T(n) taxonomy_##n,
static const char *const builtin_texts[] = {
#include "taxonomies.def"
	NULL};
#undef T

static int fail(char *err, size_t n, const char *where, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t n, const char *where, int line, const char *fmt, ...)
{
	int k = snprintf(err, n, "%s:%d: ", where, line);
	va_list ap;
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < n)
		vsnprintf(err + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* s[0..n) without the blanks around it, as a new string */
static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int key_ok(const char *k)
{
	size_t n = strlen(k);
	return n >= 1 && n <= 32 && strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "0123456789._-") == n;
}

/* no control character, valid UTF-8 */
static int text_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(s, strlen(s));
}

/* the characters of UTF-8 s (a short name's width, near enough) */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	return n;
}

static const struct tax_entry *by_key(const struct taxonomy *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].key, key))
			return &t->e[i];
	return NULL;
}

/* "alias NAME = KEY" */
static int alias_line(struct taxonomy *t, const char *s, const char *where, int ln, char *err,
		      size_t errlen)
{
	const char *eq = strchr(s, '=');
	if (!eq)
		return fail(err, errlen, where, ln, "an alias is \"alias NAME = KEY\"");
	char *name = trimmed(s + 5, (size_t)(eq - s - 5)), *key = trimmed(eq + 1, strlen(eq + 1));
	int rc = 0;
	if (!*name || !text_ok(name) || strchr(name, ' '))
		rc = fail(err, errlen, where, ln, "an alias needs a name without blanks before =");
	else if (!by_key(t, key))
		rc = fail(err, errlen, where, ln, "alias %s: no category %s above", inert(name, 0),
			  inert(key, 1));
	if (rc < 0) {
		free(name);
		free(key);
		return rc;
	}
	t->alias = xrealloc(t->alias, (t->nalias + 1) * sizeof(*t->alias));
	t->alias_key = xrealloc(t->alias_key, (t->nalias + 1) * sizeof(*t->alias_key));
	t->alias[t->nalias] = name;
	t->alias_key[t->nalias++] = key;
	return 0;
}

/* "KEY | SHORT NAME | DESCRIPTION [| GROUP]" */
static int category_line(struct taxonomy *t, const char *s, const char *where, int ln,
			 char *err, size_t errlen)
{
	char *f[5] = {0};
	int nf = 0;
	for (const char *p = s;; nf++) {
		const char *bar = strchr(p, '|');
		if (nf == 4)
			break;
		f[nf] = trimmed(p, bar ? (size_t)(bar - p) : strlen(p));
		if (!bar) {
			nf++;
			break;
		}
		p = bar + 1;
	}
	int rc = 0;
	size_t bars = 0;
	for (const char *p = s; *p; p++)
		bars += *p == '|';
	if (bars < 2 || bars > 3)
		rc = fail(err, errlen, where, ln, "a category is KEY | SHORT NAME | DESCRIPTION "
			  "[| GROUP]: %zu fields", bars + 1);
	else if (!key_ok(f[0]))
		rc = fail(err, errlen, where, ln, "the key \"%s\" is not 1-32 letters, digits, "
			  "'.', '_' or '-'", inert(f[0], 0));
	else if (by_key(t, f[0]))
		rc = fail(err, errlen, where, ln, "the key %s is there twice", f[0]);
	else if (!*f[1] || !text_ok(f[1]) || chars(f[1]) > TAX_SHORT_MAX)
		rc = fail(err, errlen, where, ln, "the short name of %s must be 1-%d columns of "
			  "text", f[0], TAX_SHORT_MAX);
	else if (!*f[2] || !text_ok(f[2]))
		rc = fail(err, errlen, where, ln, "%s has no description", f[0]);
	else if (f[3] && (!*f[3] || !text_ok(f[3])))
		rc = fail(err, errlen, where, ln, "%s: an empty group (leave the last | out)", f[0]);
	else if (t->n == TAX_MAX)
		rc = fail(err, errlen, where, ln, "more than %d categories", TAX_MAX);
	if (rc < 0) {
		for (int i = 0; i < 4; i++)
			free(f[i]);
		return rc;
	}
	t->e = xrealloc(t->e, (t->n + 1) * sizeof(*t->e));
	struct tax_entry *e = &t->e[t->n++];
	e->key = f[0];
	e->name = f[1];
	e->desc = f[2];
	e->group = f[3];
	return 0;
}

int taxonomy_parse(struct taxonomy *t, const char *name, const char *where, const char *text,
		   char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	int ln = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = trimmed(p, len);
		ln++;
		int rc = 0;
		if (!*line || line[0] == '#')
			rc = 0;
		else if (!strncmp(line, "alias", 5) && isspace((unsigned char)line[5]))
			rc = alias_line(t, line, where, ln, err, errlen);
		else if (strchr(line, '|'))
			rc = category_line(t, line, where, ln, err, errlen);
		else
			rc = fail(err, errlen, where, ln, "neither a category (KEY | SHORT NAME | "
				  "DESCRIPTION [| GROUP]) nor an alias (alias NAME = KEY)");
		free(line);
		if (rc < 0) {
			taxonomy_free(t);
			return -1;
		}
		p += len + (nl != NULL);
	}
	if (!t->n) {
		taxonomy_free(t);
		return fail(err, errlen, where, ln, "no category in the file");
	}
	return 0;
}

int taxonomy_builtin(struct taxonomy *t, const char *name)
{
	char err[256];
	for (size_t i = 0; taxonomy_builtin_names[i]; i++)
		if (!strcmp(name, taxonomy_builtin_names[i]))
			return taxonomy_parse(t, name, name, builtin_texts[i], err, sizeof(err));
	return -1;
}

int taxonomy_load(struct taxonomy *t, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < (1u << 20))
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	int rc;
	if (bad) {
		rc = -1;
		snprintf(err, errlen, "%s: cannot read it", path);
	} else if (b.len >= (1u << 20)) {
		rc = -1;
		snprintf(err, errlen, "%s: over 1 MiB: not a taxonomy", path);
	} else if (b.len && memchr(b.data, '\0', b.len)) {
		rc = -1;
		snprintf(err, errlen, "%s: a NUL byte: not a text file", path);
	} else {
		rc = taxonomy_parse(t, path, path, b.data ? b.data : "", err, errlen);
	}
	buf_free(&b);
	return rc;
}

int taxonomy_for(struct taxonomy *t, const char *path, int trace, char *err, size_t errlen)
{
	if (path && *path) {
		struct buf p = {0};
		if (path[0] == '~' && path[1] == '/' && getenv("HOME"))
			buf_printf(&p, "%s%s", getenv("HOME"), path + 1);
		else
			buf_puts(&p, path);
		int rc = taxonomy_load(t, p.data, err, errlen);
		buf_free(&p);
		return rc;
	}
	if (taxonomy_builtin(t, trace ? "mast" : "math") < 0) {
		snprintf(err, errlen, "the built-in taxonomy does not parse");
		return -1;
	}
	return 0;
}

const struct tax_entry *taxonomy_find(const struct taxonomy *t, const char *key)
{
	if (!key)
		return NULL;
	const struct tax_entry *e = by_key(t, key);
	for (size_t i = 0; !e && i < t->nalias; i++)
		if (!strcmp(t->alias[i], key))
			e = by_key(t, t->alias_key[i]);
	return e;
}

void taxonomy_free(struct taxonomy *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].name);
		free(t->e[i].desc);
		free(t->e[i].group);
	}
	for (size_t i = 0; i < t->nalias; i++) {
		free(t->alias[i]);
		free(t->alias_key[i]);
	}
	free(t->e);
	free(t->alias);
	free(t->alias_key);
	free(t->name);
	memset(t, 0, sizeof(*t));
}
