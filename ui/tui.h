/* tui.h - the full-screen workbench: shared state of the views */
#ifndef SM_TUI_H
#define SM_TUI_H

#include <stdint.h>
#include <stdio.h>
#include <curses.h>

#include "actions.h"
#include "bgfetch.h"
#include "bghub.h"
#include "draw.h"
#include "lineedit.h"
#include "queue_model.h"
#include "script.h"
#include "views.h"
#include "../src/annot.h"
#include "../src/conf.h"
#include "../src/fconf.h"
#include "../src/guidelines.h"
#include "../db/db.h"

/* ---- configuration (src/conf.c, and config.c for bind and color) ---- */
/* Keys: characters as themselves, curses keys from KEY_BASE up. */
#define KEY_BASE 0x200000

struct config;
struct config *config_new(void);
void config_free(struct config *c);
/* Runs the built-in defaults (bindings and the default theme). */
void config_defaults(struct config *c);
/* Reads a file; a missing file is not an error when optional. Warnings
 * go to warn (file:line: message). Returns the number of warnings. */
int config_load(struct config *c, const char *path, int optional, FILE *warn);
/* One line of the config language; where names its origin. */
int config_line(struct config *c, const char *line, const char *where, FILE *warn);
struct settings *config_settings(struct config *c);
/* The endpoint and provider lines read (see src/fconf.h). */
struct fconf *config_fetch(struct config *c);
/* The language's state: settings by name (conf_set, conf_value). */
struct conf *config_conf(struct config *c);
/* The action a key runs in a keymap (falling back to generic). Sets
 * *cmd to the command text when the binding is a :command. */
enum action config_key_action(struct config *c, int km, int key, const char **cmd);
/* The keys bound to an action in a keymap, as text ("j, <Down>"). */
void config_keys_of(struct config *c, int km, enum action a, char *out, size_t n);
/* Key names: "j", "<Enter>", "^R", "<F1>"... 0 when not a key. */
int key_parse(const char *s, size_t n);
void key_text(int key, char *out, size_t n);
/* After initscr: colour pairs for the areas (honours NO_COLOR). */
void config_apply_colors(struct config *c);
extern const char default_config[];

/* ---- views ---- */
struct tui;
struct view;
/* a key the hint bar shows: the action, and a word for it */
struct hint {
	enum action a;
	const char *label;
};

struct view_ops {
	enum view_id id; /* its line in VIEWS: name, keymap */
	const struct hint *hints; /* the hint bar's, ending with A_NONE */
	/* the hint bar's when it depends on what is shown (an agent trace's
	 * words are not a math solution's); NULL: hints */
	const struct hint *(*hints_now)(struct view *v);
	void (*draw)(struct view *v, int top, int h, int w);
	/* 1 when it handled the action; arg: the command's argument
	 * (":accept judge"), NULL from a key */
	int (*act)(struct view *v, enum action a, const char *arg);
	void (*mouse)(struct view *v, int y, int x, int button);
	/* the store changed (another process, or this one) */
	void (*reload)(struct view *v);
	/* to the next match of t->search, in direction dir: 1 found */
	int (*search)(struct view *v, int dir);
	/* background work between keys: 1 while more remains, 2 while
	 * waiting on a worker (the loop looks again within 20 ms) */
	int (*idle)(struct view *v);
	/* the incremental search found sol (search.c) */
	void (*found)(struct view *v, int64_t sol);
	/* a named command for this view (":accept judge"): 1 handled */
	int (*command)(struct view *v, const char *verb, const char *arg);
	/* text for the right of the status line */
	void (*status)(struct view *v, char *out, size_t n);
	void (*done)(struct view *v);
};
struct view {
	const struct view_ops *ops;
	struct tui *t;
	void *priv;
};
/* The view's line in VIEWS (views.h). */
const struct view_info *view_info(const struct view *v);

struct label_pend; /* a labelling action waiting for the store's lock */

/* What lets tests drive the workbench without a terminal and watch it
 * (tig's TIG_SCRIPT and TIG_NO_DISPLAY): each from its environment
 * variable; :save-display writes the screen. */
struct hooks {
	struct keyscript script; /* STEPMARK_SCRIPT, STEPMARK_SCRIPT_PACE */
	FILE *trace;          /* STEPMARK_TRACE: each saved action */
	FILE *timings;        /* STEPMARK_TIMINGS: first screen, each key */
	FILE *sqllog;         /* STEPMARK_SQLLOG: the store's statements */
	int no_display;       /* STEPMARK_NO_DISPLAY: the screen in memory */
	FILE *devnull;        /* the terminal it writes to then */
};

/* A prompt on the status line (ask.c): a mode of the one loop. */
enum ask_kind { ASK_COMMAND, ASK_SEARCH, ASK_NOTE, ASK_ACCEPT, ASK_AGENT, ASK_MENU, ASK_COUNT };
/* answer is NULL when the prompt was cancelled */
typedef void (*ask_fn)(struct tui *t, const char *answer, void *arg);
struct ask {
	int active, kind;
	char title[256];
	struct lineedit le;
	ask_fn done;
	void *arg;
	char keys[64];   /* a one-key menu's keys */
	char *list;      /* a menu's choices, lines drawn above it; or NULL */
	char **names;    /* completions the caller gave */
	size_t nnames;
};

struct tui {
	struct db *db;
	const char *dbpath;
	struct config *cfg;
	char *config_file; /* the config read (or looked for) */
	struct settings *set;
	struct aliases *aliases; /* the config's and the store's short names */
	struct annotator ann;
	struct view *stack[8];
	int depth;
	char msg[512];
	int msg_err;
	int msg_saving; /* msg is a label's "saving: ...", not yet on the disk */
	int dirty;
	int quit;
	/* search */
	char *pattern;
	void *re;
	int search_dir;
	struct search *search; /* running in idle time (search.c) */
	struct memos *memos;   /* what recent patterns matched (search.c) */
	/* the queue (queue_model.c): filter, order, counts, neighbours */
	struct qmodel *queue;
	/* the solutions this workbench labelled, for the queue's counts */
	struct writes writes;
	/* store changes seen */
	int64_t data_version;
	struct db_marks marks; /* where the store's tables stood when last seen */
	/* labelling actions the store refused as busy (or the disk as
	 * full), saved in order by the loop (label.c) */
	struct label_pend *pq_head, *pq_tail;
	int npending;
	int pq_full;    /* they wait for room on a full disk, not a lock */
	double pq_next;
	int quit_wait;  /* quitting once the queue is saved */
	int stopped;    /* the signal that ended it (Ctrl-C: SIGINT), 0 none */
	int read_only;  /* the store cannot be written */
	int failed;     /* labelling actions that could not be saved */
	/* labels committed, reported saved once the log is on the disk
	 * (tui_confirm_saved, between keys): how many, their trace lines */
	int nunconfirmed;
	struct buf unconfirmed;
	struct ask ask; /* the prompt, when active */
	struct medit *edit; /* the inline editor, when open (editor.c) */
	struct le_history hist[ASK_COUNT];
	char *hist_path;
	/* background suggestions (bgfetch.c), on a connection of their own */
	struct bgfetch bg;
	int64_t on_screen;  /* the solution shown, 0 none */
	struct hubsync *hub; /* syncing with the hub in the background (bghub.c) */
	double last_reload;
	long count;         /* a count typed before a key (5j, 20G), 0 none */
	int undo_step;      /* the step the last undo or redo changed, -1 none */
	struct hooks hooks; /* what tests drive and watch it by */
	struct guidelines guide; /* the guidelines setting's file, as read */
	SCREEN *screen;
};

void tui_message(struct tui *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_push(struct tui *t, struct view *v);
void tui_pop(struct tui *t);
/* Opens a prompt: done(t, answer, arg) runs when it is answered or
 * cancelled; the loop goes on meanwhile. tui_ask_names gives the open
 * prompt's Tab completions. A menu takes one of keys as its answer. */
void tui_ask(struct tui *t, int kind, const char *title, const char *init,
	     ask_fn done, void *arg);
void tui_ask_names(struct tui *t, const char *const *names, size_t n);
void tui_menu(struct tui *t, const char *title, const char *keys, ask_fn done, void *arg);
/* A menu whose choices are listed (lines of list) above its question. */
void tui_menu_list(struct tui *t, const char *title, const char *list, const char *keys,
		   ask_fn done, void *arg);
void tui_ask_cancel(struct tui *t);
void ask_key(struct tui *t, int key);
void ask_draw(struct tui *t);
void ask_history_load(struct tui *t);
void ask_free(struct tui *t);
/* The commands that are not actions (":filter", ":set"...), NULL-ended. */
extern const char *const tui_verbs[];
/* Runs a named command (":filter todo"). */
int tui_command(struct tui *t, const char *cmd);
/* editor.c: a text of several lines, init to start from, written in
 * $VISUAL (else $EDITOR; the terminal given back meanwhile) or, where
 * neither is set, in the inline editor (a mode of the loop: Enter a new
 * line, ^D saves, Esc cancels). done(t, text, arg) runs with what was
 * written, NULL when cancelled; not at all when the editor failed (the
 * status line says why). */
struct medit;
void tui_write(struct tui *t, const char *title, const char *init, ask_fn done, void *arg);
void tui_edit_cancel(struct tui *t);
void edit_key(struct tui *t, int key);
void edit_draw(struct tui *t);
/* Reports the result of an annotation call in the status line and the
 * trace; returns 1 when committed ("saving: ...", said saved by
 * tui_confirm_saved). */
int tui_saved(struct tui *t, int rc, int64_t sol, int64_t action, const char *what);
/* The labels committed since the last call, once the store's log is on
 * the disk: "saved" in the status line and the trace. */
void tui_confirm_saved(struct tui *t);

/* A labelling action (rate, first error, accept...) on sol by the
 * workbench's annotator: saved now, or queued in order while another
 * writer holds the store. Returns the annot_rc. */
int tui_label(struct tui *t, struct db_solution *sol, enum action a, int step, int alt,
	      const char *text);
/* An adjudicator's decision (fe: the first error, -1 none), the same way. */
int tui_adjudicate(struct tui *t, struct db_solution *sol, int fe, const char *reason);
/* A step's error category (key NULL: taken back) and its recovery (1, 0,
 * NO_RATING unsaid), saved or queued as tui_label. */
int tui_category(struct tui *t, struct db_solution *sol, int step, const char *key,
		 int recovered);
/* Saves what waits, in order, while the store lets it: the count saved. */
int tui_label_retry(struct tui *t);
/* Forgets what waits, naming each action on report (NULL: silently). */
void tui_label_drop(struct tui *t, FILE *report);

/* The guidelines (guidelines.c): read again when the file or the
 * setting changed, their version put in t->ann; at the start, with what
 * the first screen says about them; in the pager (H). */
void guidelines_in_force(struct tui *t);
void guidelines_start(struct tui *t);
void guidelines_show(struct tui *t);

/* The views */
struct view *queue_view_new(struct tui *t);
struct view *solution_view_new(struct tui *t, int64_t sol);
struct view *pager_view_new(struct tui *t, const char *title, const char *text,
			    int help);
/* The pager on the help (help_text). */
struct view *help_view_new(struct tui *t);
struct view *audit_view_new(struct tui *t);
/* The review of sol (annotators side by side, adjudication), at step. */
struct view *review_view_new(struct tui *t, int64_t sol, int step);
/* The queue shows only the solutions db_pick chose, described by label. */
void queue_picked(struct tui *t, const char *label);
/* search.c: the search over the queue, from after sol, in idle time */
void search_begin(struct tui *t, int64_t sol, int dir);
int search_idle(struct tui *t); /* 1 while it runs */
void search_cancel(struct tui *t);
void search_forget(struct tui *t); /* frees what the searches remember */
/* Opens the queue again (the annotator changed). */
void queue_reopen(struct tui *t);
/* Moves the queue's cursor to sol. */
void queue_select(struct tui *t, int64_t sol);
/* Says that no kind ("other", "undecided"...) solution of the queue is
 * after (dir > 0) or before sol, or that sol is outside its filter. */
void queue_say_none(struct tui *t, int64_t sol, const char *kind, int dir);
/* Runs a queue filter command: "todo", "mine", a data set... */
int queue_command(struct tui *t, const char *verb, const char *arg);
/* The help text, generated from the action table and the bindings. */
char *help_text(struct tui *t);
/* An annotator's short name (alias NAME SHORT, or L1... for machine names) */
const char *tui_alias(const struct tui *t, const char *name);
/* Every setting with its value in force and its help. */
void settings_text(struct tui *t, struct buf *b);

/* hub: --hub's (NULL: the hub setting's) */
int tui_main(const char *dbpath, const char *annotator, const char *config_path,
	     const char *hub);
int config_check_main(int argc, char **argv);

#endif
