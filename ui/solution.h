/* solution.h - the solution view's own state, shared by its two files:
 * view_solution.c (the view, its actions) and solution_draw.c (what it
 * shows: the texts as rendered, the layout of the steps, the panes). */
#ifndef SM_SOLUTION_H
#define SM_SOLUTION_H

#include "tui.h"
#include "../src/latex.h"
#include "../src/reference.h"
#include "../src/prov.h"
#include "../src/taxonomy.h"
#include "../src/mcstat.h"

/* L_FOLD: the lines of a long turn left out (off: how many); L_FIX_HEAD
 * and L_FIX: a step an annotator wrote for it (w), its head (src: who)
 * and its lines */
/* L_ROLL_HEAD and L_ROLL: a rollout MC kept of the step's prefix (M),
 * its head (src: the head's text) and its lines */
enum { L_HEAD, L_TEXT, L_NOTE, L_ALT_HEAD, L_ALT, L_FOLD, L_FIX_HEAD, L_FIX, L_ROLL_HEAD,
       L_ROLL };
struct dline {
	int step, kind;
	size_t off, len;
	const char *src; /* the text off/len index (step text or a note) */
	int alt;         /* L_ALT_HEAD, L_ALT: the alternative; else -1 */
};

struct source {
	char *key;
	int show;     /* SHOW_* of its provider; SHOW_VALUE when none */
	int area;     /* its provider's colour area; -1 when none */
	int fe;
	int *rating;  /* per step, NO_RATING when none */
	double *value; /* per step, NO_VALUE when none */
	int *k, *n;
	struct mc_fig *mc; /* SHOW_MC: its figures (solution_mc.c), else NULL */
};

struct annot {
	const char *name;
	int *rating;
	int fe;
};

struct sv {
	struct tui *t;
	struct db_solution sol; /* the solution shown */
	int sel;
	int top, ptop;
	int hidden; /* blind: suggestions hidden */
	int hide_others; /* blind all: other people's labels, the verdict */
	int *mine;
	int my_fe;
	struct annot *others;
	size_t nothers;
	struct source *src;
	size_t nsrc;
	struct dline *lines;
	size_t nlines, caplines;
	int layout_w;
	int steps_h; /* rows of the steps area at the last draw */
	int steps_y;
	int ask_step; /* the step a note prompt (or a decision's y/n) is for */
	int ask_decision; /* the decision a y/n asks about (confirm = decisions) */
	/* active time on this solution: keys arriving, a gap over a
	 * minute counting for nothing; recorded with the next action */
	double last_key;
	long active_ms;
	struct arena notes; /* others' notes with their author, for the lines */
	/* with the latex setting: the steps and the problem rendered */
	struct latex *rsteps;
	size_t nrsteps;
	struct latex rproblem, ranswer, rgold;
	int rendered;
	int rtop; /* the reference pane's first line */
	int show_alts; /* the alternatives under each step */
	int show_rolls; /* the rollouts MC kept under each step (M) */
	int sel_alt;   /* the alternative at the cursor, -1: the step */
	int keep_row;  /* after z: the screen row the cursor's step keeps, the
			* steps filling the screen (-1: none) */
	int ref_h, ref_lines; /* its rows and lines at the last draw */
	struct refsteps rs;   /* the reference in steps, as aligned */
	char **ref_text;      /* each step as shown: GSM8K's <<..>> left out */
	struct latex *rref_steps; /* and rendered, with the latex setting */
	int *ref_line;        /* each reference step's first line in the pane */
	int ref_follow;       /* the step the pane last followed, -1 none */
	int skip_at, skip_top; /* the skipped step S went to, and the pane's top
				* it set (-1: none; the next S goes on from it) */
	int prob_rows;        /* the problem pane's rows at the last draw */
	/* a trace's long turns show their first lines (O unfolds one, * all) */
	unsigned char *unfolded; /* per step, for this solution; NULL: none */
	int unfold_all;
	/* the taxonomy of the error categories (C), as last loaded: for a
	 * trace or not, from the file of the setting (NULL: a built-in) */
	struct taxonomy tax;
	int tax_loaded, tax_trace;
	char *tax_path;
	int cat_step;        /* the step the category's questions are for */
	char cat_key[40];    /* the category chosen, before its recovery */
};

/* solution_draw.c */
void render_texts(struct sv *s); /* with the latex setting: the texts rendered */
void render_free(struct sv *s);
const char *shown_problem(const struct sv *s);
/* 1 when the solution is an agent trace (its turns name their agents). */
int sv_is_trace(const struct sv *s);
/* The number the screen gives step 0: 1, or 0 on a trace (its data
 * counts turns from 0). */
int sv_base(const struct sv *s);
int is_alt(const struct sv *s, size_t i, size_t k); /* alternative k of step i is offered */
void sv_draw(struct view *v, int top, int h, int w);

/* solution_mc.c: what MC says (k/n, Wilson, progress, rollouts kept) */
void sv_mc_compute(struct sv *s);   /* the MC sources' figures */
void sv_mc_free(struct source *sc);
/* a step's MC cell after the source's key: the x after it */
int sv_mc_cell(const struct sv *s, const struct source *sc, int step, int y, int x, int maxx);
/* a kept rollout's head line, in s->notes */
const char *sv_mc_roll_head(struct sv *s, const char *key, const struct mc_kept *r);
/* the figures and the rollouts kept, for the detail (r) */
void sv_mc_detail(const struct sv *s, struct buf *b);

/* view_solution.c: around an action saved (the time spent, the marks) */
void sv_label_begin(struct sv *s);
void sv_label_end(struct sv *s);

/* solution_category.c: a step's error category (C) and its recovery */
void sv_category(struct sv *s, const char *arg);
/* who's category in force on step (its key, NULL none) and recovery */
const char *sv_category_of(const struct sv *s, const char *who, int step, int *recovered);
/* the short name of a key in the taxonomy in force (the key if unknown) */
const char *sv_category_name(struct sv *s, const char *key);
void sv_category_free(struct sv *s);

/* solution_ref.c: the reference pane and the alignments */
void draw_reference(struct sv *s, int y0, int h, int x0, int w);
/* 1 when a source says step has no reference step: who says, into who */
int step_extra(const struct sv *s, int step, char *who, size_t n);
/* The pane to the next skipped reference step: a message says which. */
void ref_next_skipped(struct sv *s);

#endif
