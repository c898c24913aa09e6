/* conf.h - the config language without a terminal: tokens, the directive
 * table, the settings (defined once, below) and the endpoint and provider
 * lines of the fetch engine. The workbench extends the table with bind
 * and color (ui/config.c); stepmark fetch reads the same files without it. */
#ifndef SM_CONF_H
#define SM_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "alias.h"
#include "fconf.h"

enum { REF_HIDDEN, REF_RIGHT, REF_BOTTOM, REF_AUTO };
/* blind: suggestions hidden; all: other annotators' labels and the final
 * answer's verdict too */
enum { BLIND_OFF, BLIND_SUGGESTIONS, BLIND_ALL };

/* _(ID, "name", kind, field, lo, hi, words, "default", "help"): every
 * setting, once. struct settings, `set`, `:set`, the defaults, the
 * completion, the help and the docs test come from this list. */
#define SETTINGS(_) \
	_(ANNOTATOR, "annotator", SK_STRING, annotator, 0, 0, NULL, "", \
	  "Your name on the labels (else --annotator, else $USER)") \
	_(BLIND, "blind", SK_WORD, blind, 0, 0, blind_names, "no", \
	  "Hide until you decide: no, yes (suggestions), all (also others' labels, the verdict)") \
	_(MOUSE, "mouse", SK_BOOL, mouse, 0, 0, NULL, "yes", \
	  "A click selects, the wheel scrolls") \
	_(REFERENCE, "reference", SK_WORD, reference, 0, 0, ref_names, "auto", \
	  "The reference pane: hidden, right, bottom or auto") \
	_(PROBLEM_LINES, "problem-lines", SK_INT, problem_lines, 1, 1000, NULL, "6", \
	  "Lines of the problem shown before it scrolls") \
	_(BAR_WIDTH, "bar-width", SK_INT, bar_width, 0, 40, NULL, "8", \
	  "Columns of a PRM reward bar") \
	_(FILTER, "filter", SK_WORD, filter, 0, 0, filter_names, "all", \
	  "The queue's filter at start") \
	_(SORT, "sort", SK_WORD, sort, 0, 0, sort_names, "id", \
	  "The queue's order at start: id or progress") \
	_(FETCH, "fetch", SK_PROVIDERS, fetch, 0, 0, NULL, "none", \
	  "Providers run for the solution on screen (any of fetch's, or none)") \
	_(ADVANCE, "advance", SK_BOOL, advance, 0, 0, NULL, "yes", \
	  "After +, 0 or - the cursor moves to the next step (as PRM800K's interface)") \
	_(TAXONOMY, "taxonomy", SK_STRING, taxonomy, 0, 0, NULL, "", \
	  "A taxonomy file of error categories (C); empty: the built-in of the item's kind") \
	_(TRUTH, "truth", SK_STRING, truth, 0, 0, NULL, "", \
	  "Whose labels the audit view measures against (NAME[,NAME]; default: yours)") \
	_(LATEX, "latex", SK_BOOL, latex, 0, 0, NULL, "yes", \
	  "LaTeX in steps, problems, references and answers shown as Unicode math (L toggles)") \
	_(HINTS, "hints", SK_BOOL, hints, 0, 0, NULL, "yes", \
	  "A line of the most used keys above the status line") \
	_(GROUND_TRUTH, "ground-truth", SK_BOOL, ground_truth, 0, 0, NULL, "yes", \
	  "An agent trace's ground truth shown (no: label without it, as Who&When also reports)") \
	_(CONFIRM, "confirm", SK_WORD, confirm, 0, 0, confirm_names, "none", \
	  "decisions: y/n before e or c is saved (none: saved at once)") \
	_(GUIDELINES, "guidelines", SK_STRING, guidelines, 0, 0, NULL, "", \
	  "Labelling guidelines file (H shows it); labels record its version") \
	_(MC_K, "mc-k", SK_INT, mc_k, 1, 1024, NULL, "4", \
	  "MC progress: K of the Best-of-K prover, Q = 1 - (1 - k/n)^K") \
	_(MC_ALPHA, "mc-alpha", SK_REAL, mc_alpha, 0, 100, NULL, "0.5", \
	  "MC effective reward k/n + alpha * progress (0.5 for search, 3 to 5 for RL)") \
	_(MC_PIT, "mc-pit", SK_REAL, mc_pit, 0, 1, NULL, "0.3", \
	  "MC: a step whose progress is -mc-pit or less is a pit (the first one marked)") \
	_(HUB, "hub", SK_STRING, hub, 0, 0, NULL, "", \
	  "The hub when --hub is not given: a libpq connection string (keep passwords out)") \
	_(HUB_INTERVAL, "hub-interval", SK_INT, hub_interval, 1, 3600, NULL, "3", \
	  "Seconds between the workbench's syncs with the hub (its labels go at once)")

enum setting_kind { SK_STRING, SK_BOOL, SK_INT, SK_WORD, SK_PROVIDERS, SK_REAL };
#define SETTING_ENUM(id, name, kind, field, lo, hi, words, def, help) SET_##id,
enum setting { SETTINGS(SETTING_ENUM) SET_COUNT };

/* A setting's value in struct settings, by its kind: a word is its index
 * in its words (the filter's Q_*, the sort's QS_*...), providers a mask. */
#define SETTING_TYPE_SK_STRING char *
#define SETTING_TYPE_SK_BOOL int
#define SETTING_TYPE_SK_INT int
#define SETTING_TYPE_SK_WORD int
#define SETTING_TYPE_SK_PROVIDERS unsigned
#define SETTING_TYPE_SK_REAL double
#define SETTING_FIELD(id, name, kind, field, lo, hi, words, def, help) SETTING_TYPE_##kind field;
struct settings {
	SETTINGS(SETTING_FIELD)
};

extern const char *const blind_names[];
extern const char *const ref_names[];
extern const char *const filter_names[];
extern const char *const sort_names[];
enum { CONFIRM_NONE, CONFIRM_DECISIONS };
extern const char *const confirm_names[];
/* the settings' names, NULL-ended, and their help */
extern const char *const setting_names[];
extern const char *const setting_help[];

/* ---- tokens ---- */
#define CONF_MAXTOK 8
struct toks {
	char *v[CONF_MAXTOK];
	const char *rest[CONF_MAXTOK]; /* the line from token i on */
	int quoted[CONF_MAXTOK];       /* token i was quoted */
	int n;
	char buf[1024];
};
/* NULL, or what is wrong with the line */
const char *conf_tokenize(const char *line, struct toks *t);

/* warn (when not NULL) gets "where: message"; returns 1 (a warning) */
int conf_warn(FILE *warn, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- directives ---- */
struct conf;
struct conf_directive {
	const char *name;
	/* 0, or 1 for a warning written to warn */
	int (*run)(struct conf *c, void *ctx, struct toks *t, const char *where, FILE *warn);
};

struct conf {
	struct settings set;
	struct fconf fetch;
	struct aliases aliases; /* alias NAME SHORT */
	char *consensus;        /* consensus RULE, RULE...: the policy, checked */
	int depth; /* source nesting */
	int unsafe; /* warnings of configs others can write or own (counted
		     * in conf_load's too): no key is sent for their endpoints */
	/* the directives of the workbench (bind, color), and their state */
	const struct conf_directive *ext;
	size_t next;
	void *ext_ctx;
};

void conf_init(struct conf *c);
void conf_done(struct conf *c);
/* Reads a file; a missing file is not an error when optional. Returns the
 * number of warnings. */
int conf_load(struct conf *c, const char *path, int optional, FILE *warn);
/* One line; where names its origin (file:line). */
int conf_line(struct conf *c, const char *line, const char *where, FILE *warn);
/* One setting by name: 0, or -1 with the reason in why. */
int conf_set(struct conf *c, const char *name, const char *value, char *why, size_t n);
/* The value of a setting as the config would write it. */
void conf_value(const struct conf *c, int setting, char *out, size_t n);

/* Who labels: the name given (--annotator), else the config's, else
 * $USER, else "anonymous". */
const char *conf_annotator(const struct settings *set, const char *given);

/* $XDG_CONFIG_HOME/stepmark/config (or ~/.config/...); xmalloc'd. */
char *conf_path_default(void);

#endif
