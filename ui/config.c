/* config.c - the config language: set, bind, color, source. The defaults
 * are written in it too (ui/default.stepmarkrc, themes/default.theme) and
 * compiled in. A bad line is a warning naming file:line; the rest runs. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <wchar.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "../src/util.h"

#define ACTION_INFO(id, name, help) {name, help},
const struct action_info action_table[A_COUNT] = {{"none", ""}, ACTIONS(ACTION_INFO)};
const struct action_info area_table[C_COUNT] = {AREAS(ACTION_INFO)};
const char *const keymap_names[KM_COUNT] = {"generic", "queue", "solution", "pager"};

struct binding {
	int km, key;
	enum action a;
	char *cmd; /* a :command, or NULL */
};

struct color {
	int fg, bg, attr, set;
};

struct config {
	struct settings set;
	struct binding *b;
	size_t nb, capb;
	struct color colors[C_COUNT];
	int depth; /* source nesting */
	struct fconf fetch;
};

struct config *config_new(void)
{
	struct config *c = xcalloc(1, sizeof(*c));
	c->set.blind = 0;
	c->set.mouse = 1;
	c->set.reference = REF_AUTO;
	c->set.problem_lines = 6;
	c->set.bar_width = 8;
	for (int i = 0; i < C_COUNT; i++)
		c->colors[i] = (struct color){-1, -1, A_NORMAL, 0};
	fconf_init(&c->fetch);
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nb; i++)
		free(c->b[i].cmd);
	free(c->b);
	free(c->set.annotator);
	fconf_free(&c->fetch);
	free(c);
}

struct settings *config_settings(struct config *c)
{
	return &c->set;
}

struct fconf *config_fetch(struct config *c)
{
	return &c->fetch;
}

/* ---- keys ---- */
static const struct {
	const char *name;
	int key;
} key_names[] = {
	{"Enter", '\n'}, {"Return", '\r'}, {"Esc", 27}, {"Tab", '\t'},
	{"Space", ' '}, {"Backspace", KEY_BASE + KEY_BACKSPACE},
	{"Up", KEY_BASE + KEY_UP}, {"Down", KEY_BASE + KEY_DOWN},
	{"Left", KEY_BASE + KEY_LEFT}, {"Right", KEY_BASE + KEY_RIGHT},
	{"PgUp", KEY_BASE + KEY_PPAGE}, {"PgDown", KEY_BASE + KEY_NPAGE},
	{"Home", KEY_BASE + KEY_HOME}, {"End", KEY_BASE + KEY_END},
	{"Insert", KEY_BASE + KEY_IC}, {"Delete", KEY_BASE + KEY_DC},
	{"BackTab", KEY_BASE + KEY_BTAB}, {"LessThan", '<'}, {"Hash", '#'}, {"Colon", ':'},
};

int key_parse(const char *s, size_t n)
{
	if (n == 1)
		return (unsigned char)s[0];
	if (n == 2 && s[0] == '^' && s[1] >= '@' && s[1] <= '_')
		return s[1] - '@';
	if (n == 2 && s[0] == '^' && s[1] >= 'a' && s[1] <= 'z')
		return s[1] - 'a' + 1;
	if (n < 3 || s[0] != '<' || s[n - 1] != '>') {
		/* one UTF-8 character */
		wchar_t wc;
		mbstate_t st = {0};
		size_t k = mbrtowc(&wc, s, n, &st);
		return k == n ? (int)wc : 0;
	}
	const char *in = s + 1;
	size_t len = n - 2;
	if (len >= 3 && (in[0] == 'C' || in[0] == 'c') && in[1] == '-')
		return key_parse((char[]){'^', in[2]}, 2);
	if ((in[0] == 'F' || in[0] == 'f') && len >= 2 && len <= 3 &&
	    isdigit((unsigned char)in[1])) {
		int f = (int)strtol(in + 1, NULL, 10);
		return f >= 1 && f <= 12 ? KEY_BASE + KEY_F(f) : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
		if (strlen(key_names[i].name) == len &&
		    strncasecmp(key_names[i].name, in, len) == 0)
			return key_names[i].key;
	return 0;
}

void key_text(int key, char *out, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
		if (key_names[i].key == key && key != '<' && key != '#') {
			snprintf(out, n, "<%s>", key_names[i].name);
			return;
		}
	if (key >= KEY_BASE + KEY_F(1) && key <= KEY_BASE + KEY_F(12))
		snprintf(out, n, "<F%d>", key - KEY_BASE - KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(out, n, "^%c", key + '@');
	else if (key < 128)
		snprintf(out, n, "%c", key);
	else if (key < KEY_BASE) {
		mbstate_t st = {0};
		char tmp[MB_LEN_MAX + 1];
		size_t k = wcrtomb(tmp, (wchar_t)key, &st);
		snprintf(out, n, "%.*s", k == (size_t)-1 ? 0 : (int)k, tmp);
	} else
		snprintf(out, n, "<key %d>", key - KEY_BASE);
}

/* ---- tokens ---- */
#define MAXTOK 8
struct toks {
	char *v[MAXTOK];
	const char *rest[MAXTOK]; /* the line from token i on */
	int n;
	char buf[1024];
};

static const char *tokenize(const char *line, struct toks *t)
{
	size_t o = 0;
	const char *p = line;
	t->n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n' || *p == '\r' || *p == '#')
			return NULL;
		if (t->n == MAXTOK)
			return "too many words";
		t->rest[t->n] = p;
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

static int warn_at(FILE *warn, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int warn_at(FILE *warn, const char *where, const char *fmt, ...)
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

/* ---- set ---- */
static int parse_int(const char *s, int lo, int hi, int *out)
{
	long v;
	if (parse_long(s, lo, hi, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_word(const char *s, const char *const *words, int n, int *out)
{
	for (int i = 0; i < n; i++)
		if (words[i] && strcmp(s, words[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

const char *const filter_names[Q_NWHAT] = {
	"all", "todo", "mine", "disagree", "disagree-annotators",
	"disagree-sources", "disagree-human-auto",
};
const char *const sort_names[QS_N] = {"id", "progress"};
static const char *const ref_names[] = {"hidden", "right", "bottom", "auto"};
const char *const blind_names[3] = {"no", "yes", "all"};
const char *const setting_names[] = {
	"annotator", "blind", "mouse", "reference", "problem-lines", "bar-width",
	"filter", "sort", "fetch", NULL,
};

static int do_set(struct config *c, struct toks *t, const char *where, FILE *warn)
{
	if (t->n < 3 && !(t->n == 4 && !strcmp(t->v[2], "=")))
		return warn_at(warn, where, "set needs a name and a value");
	const char *name = t->v[1];
	const char *val = t->n >= 4 && !strcmp(t->v[2], "=") ? t->v[3] : t->v[2];
	struct settings *s = &c->set;
	int rc = 0;
	if (!strcmp(name, "annotator")) {
		if (!*val)
			rc = -1;
		else {
			free(s->annotator);
			s->annotator = xstrdup(val);
		}
	} else if (!strcmp(name, "blind")) {
		int on;
		if (!strcmp(val, "all"))
			s->blind = BLIND_ALL;
		else if ((rc = parse_bool(val, &on)) == 0)
			s->blind = on ? BLIND_SUGGESTIONS : BLIND_OFF;
	} else if (!strcmp(name, "mouse")) {
		rc = parse_bool(val, &s->mouse);
	} else if (!strcmp(name, "reference")) {
		rc = parse_word(val, ref_names, 4, &s->reference);
	} else if (!strcmp(name, "problem-lines")) {
		rc = parse_int(val, 1, 1000, &s->problem_lines);
	} else if (!strcmp(name, "bar-width")) {
		rc = parse_int(val, 0, 40, &s->bar_width);
	} else if (!strcmp(name, "filter")) {
		rc = parse_word(val, filter_names, Q_NWHAT, &s->filter);
	} else if (!strcmp(name, "sort")) {
		rc = parse_word(val, sort_names, QS_N, &s->sort);
	} else if (!strcmp(name, "fetch")) {
		/* the providers the workbench runs for the solution on screen */
		unsigned m = 0;
		char words[256];
		/* "judge,calc", "judge calc" or quoted */
		snprintf(words, sizeof(words), "%s", val == t->v[2] ? t->rest[2] : val);
		words[strcspn(words, "#\r\n")] = '\0';
		for (char *w = strtok(words, " ,"); w; w = strtok(NULL, " ,")) {
			int p = provider_find(w);
			if (!strcmp(w, "none") || !strcmp(w, "off"))
				continue;
			if (p < 0)
				rc = -1;
			else
				m |= 1u << p;
		}
		if (rc == 0)
			s->fetch = m;
	} else {
		return warn_at(warn, where, "no setting named \"%s\"", inert(name, 1));
	}
	if (rc < 0)
		return warn_at(warn, where, "bad value \"%s\" for %s", inert(val, 1), name);
	return 0;
}

/* ---- bind ---- */
static enum action action_find(const char *name)
{
	for (int i = 1; i < A_COUNT; i++)
		if (strcmp(action_table[i].name, name) == 0)
			return (enum action)i;
	return A_NONE;
}

static int do_bind(struct config *c, struct toks *t, const char *where, FILE *warn)
{
	if (t->n < 4)
		return warn_at(warn, where, "bind needs a keymap, a key and an action");
	int km;
	if (parse_word(t->v[1], keymap_names, KM_COUNT, &km) < 0)
		return warn_at(warn, where, "no keymap named \"%s\" (generic, queue, solution, pager)",
			       inert(t->v[1], 1));
	int key = key_parse(t->v[2], strlen(t->v[2]));
	if (!key)
		return warn_at(warn, where, "not a key: \"%s\"", inert(t->v[2], 1));
	enum action a = A_NONE;
	char *cmd = NULL;
	if (t->v[3][0] == ':') {
		cmd = xstrdup(t->rest[3] + 1);
		size_t n = strlen(cmd);
		while (n && (cmd[n - 1] == '\n' || cmd[n - 1] == '\r' || cmd[n - 1] == ' '))
			cmd[--n] = '\0';
		a = A_PROMPT;
	} else if (strcmp(t->v[3], "none") != 0) {
		a = action_find(t->v[3]);
		if (a == A_NONE)
			return warn_at(warn, where, "no action named \"%s\"", inert(t->v[3], 1));
		if (t->n > 4)
			return warn_at(warn, where, "unexpected \"%s\" after the action",
				       inert(t->v[4], 1));
	}
	for (size_t i = 0; i < c->nb; i++)
		if (c->b[i].km == km && c->b[i].key == key) {
			free(c->b[i].cmd);
			c->b[i].a = a;
			c->b[i].cmd = cmd;
			return 0;
		}
	if (c->nb == c->capb) {
		c->capb = c->capb ? 2 * c->capb : 64;
		c->b = xrealloc(c->b, c->capb * sizeof(*c->b));
	}
	c->b[c->nb++] = (struct binding){km, key, a, cmd};
	return 0;
}

enum action config_key_action(struct config *c, int km, int key, const char **cmd)
{
	*cmd = NULL;
	for (int pass = 0; pass < 2; pass++) {
		int want = pass ? KM_GENERIC : km;
		for (size_t i = 0; i < c->nb; i++)
			if (c->b[i].km == want && c->b[i].key == key) {
				*cmd = c->b[i].cmd;
				return c->b[i].a;
			}
		if (km == KM_GENERIC)
			break;
	}
	return A_NONE;
}

void config_keys_of(struct config *c, int km, enum action a, char *out, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < c->nb; i++) {
		const struct binding *b = &c->b[i];
		if (b->a != a || b->cmd || (b->km != km && b->km != KM_GENERIC))
			continue;
		/* a generic key the view rebinds does not run a here */
		const char *cmd;
		if (b->km == KM_GENERIC && km != KM_GENERIC &&
		    config_key_action(c, km, b->key, &cmd) != a)
			continue;
		char name[32];
		key_text(b->key, name, sizeof(name));
		int w = snprintf(out + o, n - o, "%s%s", o ? " " : "", name);
		if (w < 0 || (size_t)w >= n - o)
			break;
		o += (size_t)w;
	}
}

/* ---- color ---- */
static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static int parse_color(const char *s, int *out)
{
	if (!strcmp(s, "default")) {
		*out = -1;
		return 0;
	}
	int bright = 0;
	if (!strncmp(s, "bright-", 7)) {
		bright = 8;
		s += 7;
	}
	for (int i = 0; i < 8; i++)
		if (!strcmp(s, color_names[i])) {
			*out = i + bright;
			return 0;
		}
	if (bright)
		return -1;
	if (!strncmp(s, "color", 5))
		s += 5;
	return parse_int(s, 0, 255, out);
}

static const struct {
	const char *name;
	int attr;
} attr_names[] = {
	{"normal", A_NORMAL}, {"bold", A_BOLD}, {"dim", A_DIM},
	{"underline", A_UNDERLINE}, {"reverse", A_REVERSE},
	{"standout", A_STANDOUT}, {"italic", A_ITALIC}, {"blink", A_BLINK},
};

static int do_color(struct config *c, struct toks *t, const char *where, FILE *warn)
{
	if (t->n < 4)
		return warn_at(warn, where, "color needs an area, a foreground and a background");
	int area = -1;
	for (int i = 0; i < C_COUNT; i++)
		if (!strcmp(area_table[i].name, t->v[1]))
			area = i;
	if (area < 0)
		return warn_at(warn, where, "no colour area named \"%s\"", inert(t->v[1], 1));
	struct color col = {0, 0, A_NORMAL, 1};
	if (parse_color(t->v[2], &col.fg) < 0)
		return warn_at(warn, where, "not a colour: \"%s\"", inert(t->v[2], 1));
	if (parse_color(t->v[3], &col.bg) < 0)
		return warn_at(warn, where, "not a colour: \"%s\"", inert(t->v[3], 1));
	for (int i = 4; i < t->n; i++) {
		size_t k;
		for (k = 0; k < ARRAY_SIZE(attr_names); k++)
			if (!strcmp(attr_names[k].name, t->v[i]))
				break;
		if (k == ARRAY_SIZE(attr_names))
			return warn_at(warn, where, "not an attribute: \"%s\"", inert(t->v[i], 1));
		col.attr |= attr_names[k].attr;
	}
	c->colors[area] = col;
	return 0;
}

/* ---- lines and files ---- */
static int do_source(struct config *c, struct toks *t, const char *where,
		     FILE *warn, const char *file)
{
	if (t->n != 2)
		return warn_at(warn, where, "source needs one file name");
	const char *p = t->v[1];
	struct buf path = {0};
	if (p[0] == '~' && p[1] == '/' && getenv("HOME")) {
		buf_printf(&path, "%s%s", getenv("HOME"), p + 1);
	} else if (p[0] != '/' && file && strrchr(file, '/')) {
		buf_printf(&path, "%.*s/%s", (int)(strrchr(file, '/') - file), file, p);
	} else {
		buf_puts(&path, p);
	}
	int w = 0;
	if (c->depth >= 8)
		w = warn_at(warn, where, "source nested too deeply");
	else {
		c->depth++;
		FILE *f = fopen(path.data, "r");
		if (!f)
			w = warn_at(warn, where, "cannot read %s: %s", inert(path.data, 1),
				    strerror(errno));
		else {
			fclose(f);
			w = config_load(c, path.data, 0, warn);
		}
		c->depth--;
	}
	buf_free(&path);
	return w;
}

static int run_line(struct config *c, const char *line, const char *where,
		    FILE *warn, const char *file)
{
	struct toks t;
	const char *err = tokenize(line, &t);
	if (err)
		return warn_at(warn, where, "%s", err);
	if (t.n == 0)
		return 0;
	if (!strcmp(t.v[0], "set"))
		return do_set(c, &t, where, warn);
	if (!strcmp(t.v[0], "bind"))
		return do_bind(c, &t, where, warn);
	if (!strcmp(t.v[0], "color") || !strcmp(t.v[0], "colour"))
		return do_color(c, &t, where, warn);
	if (!strcmp(t.v[0], "source"))
		return do_source(c, &t, where, warn, file);
	if (!strcmp(t.v[0], "endpoint") || !strcmp(t.v[0], "provider")) {
		char why[300];
		if (fconf_line(&c->fetch, t.n, (const char *const *)t.v, why, sizeof(why)) < 0)
			return warn_at(warn, where, "%s", inert(why, 1));
		return 0;
	}
	return warn_at(warn, where, "unknown command \"%s\" (set, bind, color, source, endpoint, provider)",
		       inert(t.v[0], 1));
}

int config_line(struct config *c, const char *line, const char *where, FILE *warn)
{
	return run_line(c, line, where, warn, NULL);
}

int config_load(struct config *c, const char *path, int optional, FILE *warn)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (optional && errno == ENOENT)
			return 0;
		return warn_at(warn, path, "cannot read: %s", strerror(errno));
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long no = 0;
	int warnings = 0;
	struct buf where = {0};
	while ((n = getline(&line, &cap, f)) >= 0) {
		no++;
		buf_reset(&where);
		buf_printf(&where, "%s:%ld", path, no);
		if (memchr(line, '\0', (size_t)n))
			warnings += warn_at(warn, where.data, "a NUL byte in the line");
		else
			warnings += run_line(c, line, where.data, warn, path);
	}
	free(line);
	buf_free(&where);
	fclose(f);
	return warnings;
}

void config_defaults(struct config *c)
{
	const char *p = default_config;
	char line[512];
	int no = 0;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		char where[48];
		snprintf(where, sizeof(where), "(built-in):%d", ++no);
		run_line(c, line, where, stderr, NULL);
		p += n + (e ? 1 : 0);
	}
}

/* ---- colours on the screen ---- */
static int area_attrs[C_COUNT];

int area_attr(int area)
{
	return area_attrs[area];
}

/* a colour the terminal lacks becomes the nearest of its 8 or 16 */
static int fit_color(int c)
{
	if (c < 0 || c < COLORS)
		return c;
	int r, g, b;
	if (c >= 232) {
		int v = (c - 232) * 10 + 8;
		r = g = b = v;
	} else if (c >= 16) {
		int i = c - 16;
		r = (i / 36) * 51, g = (i / 6 % 6) * 51, b = (i % 6) * 51;
	} else {
		return c & 7;
	}
	int hi = (r > 170 || g > 170 || b > 170) && COLORS >= 16 ? 8 : 0;
	int base = (r > 95 ? 1 : 0) | (g > 95 ? 2 : 0) | (b > 95 ? 4 : 0);
	return base + hi;
}

void config_apply_colors(struct config *c)
{
	const char *nc = getenv("NO_COLOR");
	int color = has_colors() && !(nc && *nc);
	if (color) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < C_COUNT; i++) {
		struct color col = c->colors[i];
		int attr = col.attr;
		if (color && col.set && i + 1 < COLOR_PAIRS) {
			init_pair((short)(i + 1), (short)fit_color(col.fg), (short)fit_color(col.bg));
			attr |= COLOR_PAIR(i + 1);
		}
		area_attrs[i] = attr;
	}
	if (!color) {
		/* without colour, the areas that matter still stand out */
		area_attrs[C_CURSOR] |= A_REVERSE;
		area_attrs[C_STATUS] |= A_REVERSE;
		area_attrs[C_TITLE] |= A_REVERSE;
		area_attrs[C_MATCH] |= A_UNDERLINE;
		area_attrs[C_BAD] |= A_BOLD;
	}
}

/* stepmark check-config FILE...: every warning, exit 1 if any */
int config_check_main(int argc, char **argv)
{
	int warnings = 0;
	for (int i = 0; i < argc; i++) {
		struct config *c = config_new();
		warnings += config_load(c, argv[i], 0, stdout);
		config_free(c);
	}
	if (!warnings)
		printf("%d file%s: no warnings\n", argc, argc == 1 ? "" : "s");
	return warnings ? 1 : 0;
}
