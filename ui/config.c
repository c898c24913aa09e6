/* config.c - the workbench's part of the config language (src/conf.c):
 * bind and color, key names, colour pairs. The defaults are written in the
 * language too (ui/default.stepmarkrc, themes/default.theme) and compiled
 * in. A bad line is a warning naming file:line; the rest runs. */
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

struct binding {
	int km, key;
	enum action a;
	char *cmd; /* a :command, or NULL */
};

struct color {
	int fg, bg, attr, set;
};

struct config {
	struct conf conf; /* the language, the settings, the endpoints */
	struct binding *b;
	size_t nb, capb;
	struct color colors[C_COUNT];
};

static int do_bind(struct conf *cf, void *ctx, struct toks *t, const char *where, FILE *warn);
static int do_color(struct conf *cf, void *ctx, struct toks *t, const char *where, FILE *warn);
static const struct conf_directive ui_directives[] = {
	{"bind", do_bind}, {"color", do_color}, {"colour", do_color},
};

struct config *config_new(void)
{
	struct config *c = xcalloc(1, sizeof(*c));
	conf_init(&c->conf);
	c->conf.ext = ui_directives;
	c->conf.next = ARRAY_SIZE(ui_directives);
	c->conf.ext_ctx = c;
	for (int i = 0; i < C_COUNT; i++)
		c->colors[i] = (struct color){-1, -1, A_NORMAL, 0};
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nb; i++)
		free(c->b[i].cmd);
	free(c->b);
	conf_done(&c->conf);
	free(c);
}

struct settings *config_settings(struct config *c)
{
	return &c->conf.set;
}

struct fconf *config_fetch(struct config *c)
{
	return &c->conf.fetch;
}

struct conf *config_conf(struct config *c)
{
	return &c->conf;
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
	for (int i = 0; i < n && words[i]; i++) /* n words, or up to a NULL */
		if (strcmp(s, words[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

/* ---- bind ---- */
static enum action action_find(const char *name)
{
	for (int i = 1; i < A_COUNT; i++)
		if (strcmp(action_table[i].name, name) == 0)
			return (enum action)i;
	return A_NONE;
}

/* NULL when cmd is a command the workbench runs, else why not */
static const char *command_check(const char *cmd, char *why, size_t n)
{
	struct toks t;
	const char *err = conf_tokenize(cmd, &t);
	if (err || t.n == 0)
		return err ? err : "an empty command";
	const char *verb = t.v[0];
	for (int i = 1; i < A_COUNT; i++)
		if (!strcmp(action_table[i].name, verb))
			return NULL;
	size_t k;
	for (k = 0; tui_verbs[k]; k++)
		if (!strcmp(tui_verbs[k], verb))
			break;
	if (!tui_verbs[k]) {
		snprintf(why, n, "no command named \"%s\"", inert(verb, 1));
		return why;
	}
	const char *const *words = !strcmp(verb, "filter") ? filter_names :
				   !strcmp(verb, "sort") ? sort_names : NULL;
	int w;
	if (words && (t.n != 2 || parse_word(t.v[1], words, 64, &w) < 0)) {
		snprintf(why, n, "%s takes one of:", verb);
		for (int i = 0; words[i]; i++)
			snprintf(why + strlen(why), n - strlen(why), " %s", words[i]);
		return why;
	}
	if (!strcmp(verb, "set") && t.n >= 2) {
		for (k = 0; setting_names[k]; k++)
			if (!strcmp(setting_names[k], t.v[1]))
				break;
		if (!setting_names[k]) {
			snprintf(why, n, "no setting named \"%s\"", inert(t.v[1], 1));
			return why;
		}
	}
	return NULL;
}

static int do_bind(struct conf *cf, void *ctx, struct toks *t, const char *where, FILE *warn)
{
	struct config *c = ctx;
	(void)cf;
	if (t->n < 4)
		return conf_warn(warn, where, "bind needs a keymap, a key and an action");
	int km;
	if (parse_word(t->v[1], keymap_names, KM_COUNT, &km) < 0) {
		char names[200];
		size_t o = 0;
		for (int k = 0; k < KM_COUNT && o < sizeof(names); k++)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", k ? ", " : "",
					      keymap_names[k]);
		return conf_warn(warn, where, "no keymap named \"%s\" (%s)", inert(t->v[1], 1),
				 names);
	}
	int key = key_parse(t->v[2], strlen(t->v[2]));
	if (!key)
		return conf_warn(warn, where, "not a key: \"%s\"", inert(t->v[2], 1));
	enum action a = A_NONE;
	char *cmd = NULL;
	if (t->v[3][0] == ':') {
		/* ":filter todo" quoted, or :filter todo to the end of the line */
		if (t->quoted[3] && t->n > 4)
			return conf_warn(warn, where, "unexpected \"%s\" after the command",
					 inert(t->v[4], 1));
		cmd = xstrdup(t->quoted[3] ? t->v[3] + 1 : t->rest[3] + 1);
		size_t n = strlen(cmd);
		while (n && (cmd[n - 1] == '\n' || cmd[n - 1] == '\r' || cmd[n - 1] == ' '))
			cmd[--n] = '\0';
		char why[200];
		if (command_check(cmd, why, sizeof(why))) {
			free(cmd);
			return conf_warn(warn, where, "bind %s %s: %s", t->v[1], inert(t->v[2], 1), why);
		}
		a = A_PROMPT;
	} else if (strcmp(t->v[3], "none") != 0) {
		a = action_find(t->v[3]);
		if (a == A_NONE)
			return conf_warn(warn, where, "no action named \"%s\"", inert(t->v[3], 1));
		if (t->n > 4)
			return conf_warn(warn, where, "unexpected \"%s\" after the action",
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

int area_find(const char *name)
{
	for (int i = 0; i < C_COUNT; i++)
		if (!strcmp(area_table[i].name, name))
			return i;
	return -1;
}

static int do_color(struct conf *cf, void *ctx, struct toks *t, const char *where, FILE *warn)
{
	struct config *c = ctx;
	(void)cf;
	if (t->n < 4)
		return conf_warn(warn, where, "color needs an area, a foreground and a background");
	int area = area_find(t->v[1]);
	if (area < 0)
		return conf_warn(warn, where, "no colour area named \"%s\"", inert(t->v[1], 1));
	struct color col = {0, 0, A_NORMAL, 1};
	if (parse_color(t->v[2], &col.fg) < 0)
		return conf_warn(warn, where, "not a colour: \"%s\"", inert(t->v[2], 1));
	if (parse_color(t->v[3], &col.bg) < 0)
		return conf_warn(warn, where, "not a colour: \"%s\"", inert(t->v[3], 1));
	for (int i = 4; i < t->n; i++) {
		size_t k;
		for (k = 0; k < ARRAY_SIZE(attr_names); k++)
			if (!strcmp(attr_names[k].name, t->v[i]))
				break;
		if (k == ARRAY_SIZE(attr_names))
			return conf_warn(warn, where, "not an attribute: \"%s\"", inert(t->v[i], 1));
		col.attr |= attr_names[k].attr;
	}
	c->colors[area] = col;
	return 0;
}

/* ---- lines and files ---- */
int config_line(struct config *c, const char *line, const char *where, FILE *warn)
{
	return conf_line(&c->conf, line, where, warn);
}

int config_load(struct config *c, const char *path, int optional, FILE *warn)
{
	return conf_load(&c->conf, path, optional, warn);
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
		conf_line(&c->conf, line, where, stderr);
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
