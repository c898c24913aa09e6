/* view_queue.c - one line per solution: data set, id, progress, the
 * first error by each annotator and source, disagreements. The view
 * holds one screenful of rows: it walks the store's queue a window at a
 * time, so its memory does not grow with the store. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "tui.h"
#include "../src/latex.h"
#include "../src/summary.h"
#include "../src/util.h"

#define MAXROWS 512

struct qv {
	struct tui *t;
	struct qfilter f;
	char *regex;
	char *rule;         /* :filter agreed RULE */
	char *dsname;
	char *picked;       /* what the audit picked, while the queue shows it */
	struct queue *q;
	struct qpos anchor; /* the position just before the top row */
	int anchored;       /* anchor is a real row (else: the start) */
	struct qpos rows[MAXROWS];
	int nrows, sel, height;
	/* what the window shows, read once per fill */
	struct db_qrow cache[MAXROWS];
	int cached;
	/* queues for next-unlabelled and disagreements, kept open */
	struct queue *side[Q_NWHAT];
	/* counting matches in id chunks between keys */
	long count;
	int64_t max_id;
	long pick_seq; /* each pick is a new set */
	int counting;
	/* the cursor's position in id order: rank matches have an id up to
	 * rank_id, moved toward the cursor a chunk of ids at a time */
	int64_t rank_id;
	long rank;
	struct arena a;
	struct latex lx; /* a row's problem rendered */
	/* counts of earlier filters by chunk of ids, kept while the store
	 * does not change under them (see count_restart) */
	struct counts *counts;
	size_t ncounts;
	struct counts *cur; /* the filter counted now */
};

#define CHUNK 20000
#define MAXCOUNTS 16

/* one filter's matches per chunk of CHUNK ids; -1: not counted */
struct counts {
	char *key;
	long *chunk;
	size_t nchunks;
	long epoch;
	size_t seen; /* t->written up to here is accounted for */
};

static struct qv *qv_of(struct tui *t)
{
	return t->depth ? t->stack[0]->priv : NULL;
}

static struct qpos start_pos(void)
{
	return (struct qpos){-1, 0};
}

static void fill(struct qv *q)
{
	struct qpos from = q->anchored ? q->anchor : start_pos();
	int h = q->height > 0 && q->height < MAXROWS ? q->height : 1;
	q->nrows = db_queue_step(q->q, &from, 1, h, q->rows);
	if (q->nrows < 0)
		q->nrows = 0;
	q->cached = 0;
	if (q->sel >= q->nrows)
		q->sel = q->nrows ? q->nrows - 1 : 0;
}

/* the filter as a key: what, data set, picked set, pattern, annotator */
static char *filter_key(const struct qv *q)
{
	struct buf b = {0};
	buf_printf(&b, "%d|%lld|%ld|%s|%s|%s", q->f.what, (long long)q->f.dataset,
		   q->f.picked ? q->pick_seq : 0, q->f.regex ? q->f.regex : "", q->t->ann.name,
		   q->f.rule ? q->f.rule : "");
	return b.data;
}

static void counts_free(struct counts *c)
{
	free(c->key);
	free(c->chunk);
}

/* The filter's counts, its chunks the store changed under marked to
 * count again: the chunks of the solutions this workbench labelled
 * since, or all of them after another writer. */
static struct counts *counts_for(struct qv *q)
{
	struct tui *t = q->t;
	char *key = filter_key(q);
	size_t need = (size_t)(q->max_id / CHUNK) + 1;
	struct counts *c = NULL;
	for (size_t i = 0; i < q->ncounts && !c; i++)
		if (!strcmp(q->counts[i].key, key))
			c = &q->counts[i];
	if (!c) {
		if (q->ncounts == MAXCOUNTS) { /* the oldest goes */
			counts_free(&q->counts[0]);
			memmove(q->counts, q->counts + 1, (MAXCOUNTS - 1) * sizeof(*q->counts));
			q->ncounts--;
		}
		q->counts = xrealloc(q->counts, (q->ncounts + 1) * sizeof(*q->counts));
		c = &q->counts[q->ncounts++];
		*c = (struct counts){key, NULL, 0, t->write_epoch, t->nwritten};
		key = NULL;
	}
	free(key);
	if (c->nchunks < need) {
		c->chunk = xrealloc(c->chunk, need * sizeof(*c->chunk));
		for (size_t i = c->nchunks; i < need; i++)
			c->chunk[i] = -1;
		c->nchunks = need;
	}
	if (c->epoch != t->write_epoch || c->seen > t->nwritten) {
		for (size_t i = 0; i < c->nchunks; i++)
			c->chunk[i] = -1;
	} else {
		for (size_t i = c->seen; i < t->nwritten; i++)
			if (t->written[i] > 0 && (size_t)((t->written[i] - 1) / CHUNK) < c->nchunks)
				c->chunk[(t->written[i] - 1) / CHUNK] = -1;
	}
	c->epoch = t->write_epoch;
	c->seen = t->nwritten;
	return c;
}

/* the sum of the counted chunks; counting stays on while one is not */
static void count_sum(struct qv *q)
{
	struct counts *c = q->cur;
	q->count = 0;
	q->counting = 0;
	for (size_t i = 0; i < c->nchunks; i++) {
		if (c->chunk[i] < 0)
			q->counting = 1;
		else
			q->count += c->chunk[i];
	}
}

static void count_restart(struct qv *q)
{
	q->max_id = db_max_solution(q->t->db);
	q->cur = counts_for(q);
	count_sum(q);
	q->rank_id = 0; /* no match has an id up to 0 */
	q->rank = 0;
}

static int64_t sel_id(struct qv *q);

/* Moves the rank toward the cursor by at most a chunk of ids: 1 when
 * there is more to count. */
static int rank_step(struct qv *q)
{
	int64_t to = sel_id(q);
	if (q->f.sort != QS_ID || db_queue_dealt(&q->f) || !to || to == q->rank_id)
		return 0;
	int64_t lo, hi;
	if (to > q->rank_id) {
		lo = q->rank_id + 1;
		hi = to - q->rank_id > 20000 ? q->rank_id + 20000 : to;
	} else {
		hi = q->rank_id;
		lo = q->rank_id - to > 20000 ? q->rank_id - 20000 + 1 : to + 1;
	}
	long n = db_queue_count(q->q, lo, hi);
	if (n < 0)
		return 0;
	if (to > q->rank_id) {
		q->rank += n;
		q->rank_id = hi;
	} else {
		q->rank -= n;
		q->rank_id = lo - 1;
	}
	q->t->dirty = 1;
	return q->rank_id != to;
}

static void side_close(struct qv *q)
{
	for (int i = 0; i < Q_NWHAT; i++) {
		db_queue_close(q->side[i]);
		q->side[i] = NULL;
	}
}

static void reopen(struct qv *q)
{
	side_close(q);
	db_queue_close(q->q);
	q->f.regex = q->regex;
	q->f.rule = q->rule;
	q->f.annotator = q->t->ann.name;
	q->q = db_queue_open(q->t->db, &q->f);
	q->anchored = 0;
	q->sel = 0;
	fill(q);
	count_restart(q);
}

static int64_t sel_id(struct qv *q)
{
	return q->nrows ? q->rows[q->sel].id : 0;
}

/* Moves the cursor by delta rows, scrolling the window. */
static void move_by(struct qv *q, int delta);

/* A page: the target found in one query, the window placed around it. */
static void move_far(struct qv *q, int delta)
{
	struct qpos tmp[MAXROWS];
	int d = delta > 0 ? delta : -delta;
	if (d >= MAXROWS)
		d = MAXROWS - 1;
	if (!q->nrows)
		return;
	int n = db_queue_step(q->q, &q->rows[q->sel], delta > 0 ? 1 : -1, d, tmp);
	if (n <= 0)
		return;
	struct qpos target = tmp[n - 1];
	if (delta > 0 && q->sel + n < q->nrows) {
		q->sel += n;
		return;
	}
	if (delta < 0 && q->sel - n >= 0) {
		q->sel -= n;
		return;
	}
	/* the target at the top of the window */
	struct qpos pv;
	q->anchored = db_queue_step(q->q, &target, -1, 1, &pv) == 1;
	if (q->anchored)
		q->anchor = pv;
	fill(q);
	q->sel = 0;
}

static void move_by(struct qv *q, int delta)
{
	if (delta > 2 || delta < -2) {
		move_far(q, delta);
		return;
	}
	while (delta > 0) {
		if (q->sel + 1 < q->nrows) {
			q->sel++;
		} else {
			struct qpos nx;
			if (!q->nrows || db_queue_step(q->q, &q->rows[q->nrows - 1], 1, 1, &nx) != 1)
				break;
			q->anchor = q->rows[0];
			q->anchored = 1;
			fill(q);
			q->sel = q->nrows - 1;
		}
		delta--;
	}
	while (delta < 0) {
		if (q->sel > 0) {
			q->sel--;
		} else {
			if (!q->anchored)
				break;
			struct qpos pv;
			int n = db_queue_step(q->q, &q->anchor, -1, 1, &pv);
			q->anchored = n == 1;
			if (n == 1)
				q->anchor = pv;
			fill(q);
			q->sel = 0;
		}
		delta++;
	}
}

static void move_last(struct qv *q)
{
	struct qpos end = {INT64_MAX, INT64_MAX};
	struct qpos tail[MAXROWS];
	int h = q->height > 0 && q->height < MAXROWS ? q->height : 1;
	int n = db_queue_step(q->q, &end, -1, h, tail);
	if (n <= 0)
		return;
	struct qpos pv;
	q->anchored = db_queue_step(q->q, &tail[n - 1], -1, 1, &pv) == 1;
	if (q->anchored)
		q->anchor = pv;
	fill(q);
	q->sel = q->nrows - 1;
}

/* Where sol stands in the queue's order (the same key as db.c's). */
static struct qpos pos_of(struct qv *q, int64_t sol)
{
	struct qpos p = {0, sol};
	if (db_queue_dealt(&q->f)) {
		p.key = db_assigned_ord(q->t->db, q->t->ann.name, sol);
	} else if (q->f.sort == QS_PROGRESS) {
		struct db_qrow r;
		struct arena a = {0};
		if (db_queue_row(q->t->db, sol, &a, &r) == 1)
			p.key = r.labelled * 1000 / (r.nsteps > 1 ? r.nsteps : 1);
		arena_free(&a);
	}
	return p;
}

static int pos_before(struct qpos a, struct qpos b)
{
	return a.key < b.key || (a.key == b.key && a.id < b.id);
}

/* Selects sol (it need not match the filter): where the window shows it
 * already, only the cursor moves; else the window is placed with sol in
 * its middle, so the rows above it stay in sight. */
static void select_id(struct qv *q, int64_t sol)
{
	for (int i = 0; i < q->nrows; i++)
		if (q->rows[i].id == sol) {
			q->sel = i;
			return;
		}
	struct qpos p = pos_of(q, sol);
	struct qpos back[MAXROWS], pv;
	int h = q->height > 0 && q->height < MAXROWS ? q->height : 1;
	int n = h > 1 ? db_queue_step(q->q, &p, -1, h / 2, back) : 0;
	if (n > 0) {
		q->anchored = db_queue_step(q->q, &back[n - 1], -1, 1, &pv) == 1;
		if (q->anchored)
			q->anchor = pv;
	} else {
		q->anchor = (struct qpos){p.key, p.id - 1};
		q->anchored = 1;
	}
	fill(q);
	q->sel = 0;
	for (int i = 0; i < q->nrows; i++) {
		if (q->rows[i].id == sol) {
			q->sel = i;
			break;
		}
		if (pos_before(q->rows[i], p))
			q->sel = i + 1 < q->nrows ? i + 1 : i;
	}
}

void queue_reopen(struct tui *t)
{
	struct qv *q = qv_of(t);
	if (q)
		reopen(q);
}

void queue_select(struct tui *t, int64_t sol)
{
	struct qv *q = qv_of(t);
	if (q)
		select_id(q, sol);
}

int64_t queue_neighbour(struct tui *t, int64_t sol, int dir, int what)
{
	struct qv *q = qv_of(t);
	if (!q)
		return 0;
	struct queue *qq = q->q;
	if (what >= 0 && what < Q_NWHAT) {
		if (!q->side[what]) {
			struct qfilter f = q->f;
			f.what = what;
			q->side[what] = db_queue_open(t->db, &f);
		}
		qq = q->side[what];
	}
	struct qpos p = pos_of(q, sol);
	struct qpos out;
	return db_queue_step(qq, &p, dir, 1, &out) == 1 ? out.id : 0;
}

struct queue *queue_walk(struct tui *t, int64_t sol, struct qpos *at, long *rows)
{
	struct qv *q = qv_of(t);
	*at = q ? pos_of(q, sol) : (struct qpos){0, sol};
	*rows = q ? (q->counting ? (long)q->max_id : q->count) : (long)db_max_solution(t->db);
	if (!q) {
		struct qfilter f = {0};
		return db_queue_open(t->db, &f);
	}
	return db_queue_open(t->db, &q->f);
}

/* ---- drawing ---- */
/* 1 when the verdicts hold me's decision ("\n@me\tFE" with FE >= -1) */
static int decided(const char *v, const char *me)
{
	size_t n = strlen(me);
	for (const char *p = v; p && (p = strchr(p, '@'));) {
		if ((p == v || p[-1] == '\n') && !strncmp(p + 1, me, n) && p[1 + n] == '\t')
			return strtol(p + 2 + n, NULL, 10) >= -1;
		p++;
	}
	return 0;
}

/* Shows the first errors: yours first, then the sources', then the other
 * annotators' (by their short names); blind hides what the annotator must
 * not see before deciding: sources' (and with BLIND_ALL other people's). */
static void verdict_text(struct buf *b, const char *v, const struct tui *t, int blind)
{
	const char *me = t->ann.name;
	if (blind && decided(v, me))
		blind = BLIND_OFF;
	char name[256];
	/* lines "\n@name\tFE" and "\n#source\tFE", in three passes */
	for (int pass = 0; pass < 3; pass++) {
		for (const char *p = v; p && *p;) {
			if (*p == '\n') {
				p++;
				continue;
			}
			const char *tab = strchr(p, '\t');
			const char *nl = strchr(p, '\n');
			if (!tab || (nl && nl < tab))
				break;
			int fe = (int)strtol(tab + 1, NULL, 10);
			size_t nlen = (size_t)(tab - p - 1);
			snprintf(name, sizeof(name), "%.*s", (int)nlen, p + 1);
			int mine = p[0] == '@' && !strcmp(name, me);
			int want = pass == 0 ? mine : pass == 1 ? p[0] == '#' : p[0] == '@' && !mine;
			p = nl ? nl : tab + strlen(tab);
			if (!want || (blind && pass == 1) || (blind == BLIND_ALL && pass == 2))
				continue;
			if (pass == 1 && fe < -1)
				continue; /* a source with no verdict (a verifier's score) */
			if (b->len)
				buf_putc(b, ' ');
			buf_puts(b, mine ? "me" : pass == 2 ? tui_alias(t, name) : name);
			if (fe >= 0)
				buf_printf(b, ":%d", fe + 1);
			else
				buf_puts(b, fe == -1 ? ":ok" : ":?");
		}
	}
}

static void describe(struct qv *q, char *out, size_t n);

static void qv_draw(struct view *v, int top, int h, int w)
{
	struct qv *q = v->priv;
	int body = h - 1;
	if (body != q->height) {
		q->height = body > 0 ? body : 1;
		fill(q);
	}
	if (!q->cached) {
		arena_reset(&q->a);
		for (int i = 0; i < q->nrows; i++)
			if (db_queue_row(q->t->db, q->rows[i].id, &q->a, &q->cache[i]) != 1)
				memset(&q->cache[i], 0, sizeof(q->cache[i]));
		q->cached = 1;
	}
	/* the data set and key columns as wide as the rows need, while the
	 * verdicts and the problem keep half the width (at least 40) */
	int dsw = 8, keyw = 3;
	for (int i = 0; i < q->nrows && i < body; i++)
		if (q->cache[i].id) {
			int d = text_width(q->cache[i].dataset, strlen(q->cache[i].dataset));
			int k = text_width(q->cache[i].key, strlen(q->cache[i].key));
			dsw = d > dsw ? d : dsw;
			keyw = k > keyw ? k : keyw;
		}
	dsw = dsw > 24 ? 24 : dsw;
	keyw = keyw > 40 ? 40 : keyw;
	int room = w - 2 - 8 - 17 - 2 - (w / 2 > 40 ? w / 2 : 40);
	while (dsw + keyw > room && (dsw > 12 || keyw > 12)) {
		if (keyw >= dsw && keyw > 12)
			keyw--;
		else
			dsw--;
	}
	char head[256];
	snprintf(head, sizeof(head), "  %-7s %-*s %-*s %5s  %-9s  %s", "id", dsw, "data set", keyw,
		 "key", "steps", "labelled", "first error: me, sources, others");
	draw_line(top, 0, w, head, area_attr(C_HEADER));
	struct buf vb = {0};
	for (int i = 0; i < q->nrows && i < body; i++) {
		struct db_qrow r = q->cache[i];
		int y = top + 1 + i;
		if (!r.id)
			continue;
		int base = i == q->sel ? area_attr(C_CURSOR) : area_attr(C_DEFAULT);
		draw_line(y, 0, w, "", base);
		int blind = q->t->set->blind && !decided(r.verdicts, q->t->ann.name);
		int dis = !blind && (r.flags & (SF_DIS_ANN | SF_DIS_SRC | SF_DIS_HA));
		int x = 0;
		draw_text(y, x, 2, dis ? "! " : "  ", 2, dis ? (int)((unsigned)area_attr(C_DISAGREE) | ((unsigned)base & A_REVERSE)) : base, NULL);
		x = 2;
		char num[32];
		snprintf(num, sizeof(num), "%-7lld", (long long)r.id);
		draw_text(y, x, 8, num, strlen(num), i == q->sel ? base : area_attr(C_INDEX), NULL);
		x += 8;
		if (w - x > dsw + 1) {
			draw_text(y, x, dsw, r.dataset, strlen(r.dataset), i == q->sel ? base : area_attr(C_DATASET), NULL);
			x += dsw + 1;
		}
		if (w - x > keyw + 1) {
			draw_text(y, x, keyw, r.key, strlen(r.key), base, NULL);
			x += keyw + 1;
		}
		snprintf(num, sizeof(num), "%5d  %4d/%-4d ", r.nsteps, r.labelled, r.nsteps);
		if (w - x > 17) {
			draw_text(y, x, 17, num, strlen(num), base, NULL);
			x += 17;
		}
		buf_reset(&vb);
		verdict_text(&vb, r.verdicts, q->t, q->t->set->blind);
		if (w - x > 4 && vb.len) {
			int vw = text_width(vb.data, vb.len);
			int vroom = w - x - 1;
			if (vw > vroom - 12 && vroom > 30)
				vw = vroom - 12;
			x += draw_text(y, x, vw < vroom ? vw : vroom, vb.data, vb.len, base, NULL) + 2;
		}
		int pattr = i == q->sel ? base : (int)((unsigned)area_attr(C_PROBLEM) & ~A_BOLD);
		if (w - x > 4 && r.problem && q->t->set->latex) {
			latex_render(&q->lx, r.problem, strlen(r.problem));
			/* one line: up to the first line break */
			size_t len = strcspn(q->lx.out.data, "\n");
			draw_latex(y, x, w - x, &q->lx, r.problem, 0, len, pattr, q->t->re);
		} else if (w - x > 4 && r.problem) {
			draw_text(y, x, w - x, r.problem, strlen(r.problem), pattr, q->t->re);
		}
	}
	buf_free(&vb);
	if (q->nrows == 0) {
		char what[300], line[400];
		describe(q, what, sizeof(what));
		if (q->max_id > 0)
			snprintf(line, sizeof(line), "  no solution matches: %s (:filter all, :dataset all, "
				 ":grep with nothing clears them)", what);
		else
			snprintf(line, sizeof(line), "  no solutions: stepmark import FILE adds some");
		draw_line(top + 1, 0, w, line, area_attr(C_DIM));
	}
}

/* ---- actions ---- */
static void open_selected(struct qv *q)
{
	int64_t id = sel_id(q);
	if (id)
		tui_push(q->t, solution_view_new(q->t, id));
}

static void describe(struct qv *q, char *out, size_t n)
{
	if (q->f.picked) {
		snprintf(out, n, "picked: %s", q->picked);
		return;
	}
	snprintf(out, n, "%s%s%s%s%s%s%s%s%s%s", filter_names[q->f.what],
		 q->rule && q->f.what == Q_AGREED ? " " : "",
		 q->rule && q->f.what == Q_AGREED ? q->rule : "",
		 q->dsname ? "  " : "", q->dsname ? q->dsname : "",
		 q->f.sort != QS_ID ? "  by " : "", q->f.sort != QS_ID ? sort_names[q->f.sort] : "",
		 q->regex ? "  grep /" : "", q->regex ? q->regex : "", q->regex ? "/" : "");
}

struct ds_cycle {
	const char *cur;
	char *next;
	int take;
	char *first;
};

static void ds_each(void *ctx, const char *name)
{
	struct ds_cycle *c = ctx;
	if (!c->first)
		c->first = xstrdup(name);
	if (c->take && !c->next)
		c->next = xstrdup(name);
	if (c->cur && !strcmp(c->cur, name))
		c->take = 1;
}

/* the audit's pick ends with any other choice of what to show */
static void unpick(struct qv *q)
{
	q->f.picked = 0;
	free(q->picked);
	q->picked = NULL;
}

unsigned queue_where(struct tui *t)
{
	struct qv *q = qv_of(t);
	if (!q)
		return 0;
	switch (q->f.what) {
	case Q_DIS_ANY: return SF_DIS_ANN | SF_DIS_SRC | SF_DIS_HA;
	case Q_DIS_ANN: return SF_DIS_ANN;
	case Q_DIS_SRC: return SF_DIS_SRC;
	case Q_DIS_HA: return SF_DIS_HA;
	default: return 0;
	}
}

const char *queue_dataset(struct tui *t)
{
	struct qv *q = qv_of(t);
	return q ? q->dsname : NULL;
}

void queue_picked(struct tui *t, const char *label)
{
	struct qv *q = qv_of(t);
	if (!q)
		return;
	unpick(q);
	q->picked = xstrdup(label);
	q->pick_seq++;
	q->f.picked = 1;
	reopen(q);
	tui_message(t, 0, "picked: %s; f: all again", label);
}

static void set_dataset(struct qv *q, const char *name)
{
	unpick(q);
	free(q->dsname);
	q->dsname = name ? xstrdup(name) : NULL;
	q->f.dataset = name ? db_dataset_id(q->t->db, name) : 0;
}

static int qv_act(struct view *v, enum action a, const char *arg)
{
	(void)arg;
	struct qv *q = v->priv;
	enum move m = move_of(a);
	if (m == MOVE_FIRST) {
		q->anchored = 0;
		q->sel = 0;
		fill(q);
		return 1;
	}
	if (m == MOVE_LAST) {
		move_last(q);
		return 1;
	}
	if (m != MOVE_NONE) { /* a scroll moves the cursor, as a move */
		move_by(q, move_delta(m, pos_page(q->height)));
		return 1;
	}
	switch (a) {
	case A_ENTER: open_selected(q); break;
	case A_REVIEW:
		if (sel_id(q))
			tui_push(q->t, review_view_new(q->t, sel_id(q), 0));
		break;
	case A_NEXT_SOLUTION: move_by(q, 1); break;
	case A_PREV_SOLUTION: move_by(q, -1); break;
	case A_NEXT_UNLABELLED:
	case A_NEXT_DISAGREEMENT:
	case A_PREV_DISAGREEMENT: {
		int what = a == A_NEXT_UNLABELLED ? Q_TODO : Q_DIS_ANY;
		int dir = a == A_PREV_DISAGREEMENT ? -1 : 1;
		int64_t id = sel_id(q) ? queue_neighbour(q->t, sel_id(q), dir, what) : 0;
		if (id)
			select_id(q, id);
		else
			tui_message(q->t, 1, "no %s solution %s this one",
				    what == Q_TODO ? "undecided" : "disagreeing",
				    dir > 0 ? "after" : "before");
		break;
	}
	case A_FILTER:
		if (q->f.picked) /* back to the filter the pick replaced */
			unpick(q);
		else
			q->f.what = (q->f.what + 1) % Q_NWHAT;
		reopen(q);
		tui_message(q->t, 0, "filter: %s", filter_names[q->f.what]);
		break;
	case A_SORT:
		q->f.sort = (q->f.sort + 1) % QS_N;
		reopen(q);
		tui_message(q->t, 0, "order: %s", sort_names[q->f.sort]);
		break;
	case A_DATASET: {
		struct ds_cycle c = {q->dsname, NULL, q->dsname == NULL, NULL};
		db_datasets(q->t->db, ds_each, &c);
		set_dataset(q, c.next);
		free(c.next);
		free(c.first);
		reopen(q);
		tui_message(q->t, 0, "data set: %s", q->dsname ? inert(q->dsname, 0) : "all");
		break;
	}
	default:
		return 0;
	}
	return 1;
}

int queue_command(struct tui *t, const char *verb, const char *arg)
{
	struct qv *q = qv_of(t);
	if (!q)
		return 0;
	if (!strcmp(verb, "filter")) {
		int i;
		free(q->rule);
		q->rule = NULL;
		if (!strncmp(arg, "agreed ", 7) && arg[7]) { /* decided by one rule */
			q->rule = xstrdup(arg + 7);
			arg = "agreed";
		}
		for (i = 0; i < Q_NWHAT; i++)
			if (!strcmp(arg, filter_names[i]))
				break;
		if (i == Q_NWHAT) {
			tui_message(t, 1, "filter: all, todo, mine, disagree, disagree-annotators, "
				    "disagree-sources, disagree-human-auto, assigned, no-consensus, "
				    "agreed, agreed-adjudicated, agreed-people or agreed-sources");
			return 1;
		}
		unpick(q);
		q->f.what = i;
	} else if (!strcmp(verb, "sort")) {
		int i;
		for (i = 0; i < QS_N; i++)
			if (!strcmp(arg, sort_names[i]))
				break;
		if (i == QS_N) {
			tui_message(t, 1, "sort: id or progress");
			return 1;
		}
		q->f.sort = i;
	} else if (!strcmp(verb, "dataset")) {
		if (!*arg || !strcmp(arg, "all")) {
			set_dataset(q, NULL);
		} else if (!db_dataset_id(t->db, arg)) {
			tui_message(t, 1, "no data set named %s", inert(arg, 0));
			return 1;
		} else {
			set_dataset(q, arg);
		}
	} else if (!strcmp(verb, "grep")) {
		if (*arg) {
			char err[200];
			void *re = db_regex_compile(arg, err, sizeof(err));
			if (!re) {
				tui_message(t, 1, "%s", err);
				return 1;
			}
			db_regex_free(re);
		}
		free(q->regex);
		q->regex = *arg ? xstrdup(arg) : NULL;
	} else if (!strcmp(verb, "open")) {
		/* the store's number, else the solution's own id (gsm8k-11) */
		char *end;
		long long id = strtoll(arg, &end, 10);
		struct db_qrow r;
		struct arena a = {0};
		int ok = *arg && !*end && db_queue_row(t->db, id, &a, &r) == 1;
		arena_free(&a);
		int64_t found[2];
		int nk = ok || !*arg ? 0 : db_solutions_by_key(t->db, arg, q->f.dataset, found, 2);
		if (!ok && nk > 0) {
			id = found[0];
			ok = 1;
		}
		if (!ok) {
			tui_message(t, 1, "no solution %s (a number, or a solution's own id)",
				    inert(arg, 0));
			return 1;
		}
		while (t->depth > 1)
			tui_pop(t);
		select_id(q, id);
		tui_push(t, solution_view_new(t, id));
		if (nk > 1)
			tui_message(t, 0, "%d solutions have the id %s: opened #%lld (:open NUMBER "
				    "for another)", nk, inert(arg, 0), (long long)id);
		return 1;
	} else {
		return 0;
	}
	reopen(q);
	t->dirty = 1;
	return 1;
}

static int qv_search(struct view *v, int dir)
{
	struct qv *q = v->priv;
	if (!sel_id(q))
		return 0;
	search_begin(q->t, sel_id(q), dir); /* it goes on between keys */
	return 1;
}

static void qv_found(struct view *v, int64_t sol)
{
	select_id(v->priv, sol);
}

static void qv_mouse(struct view *v, int y, int x, int button)
{
	struct qv *q = v->priv;
	(void)x;
	if (button == 4)
		move_by(q, -3);
	else if (button == 5)
		move_by(q, 3);
	else if (y >= 2 && y - 2 < q->nrows)
		q->sel = y - 2;
}

static void qv_reload(struct view *v)
{
	struct qv *q = v->priv;
	fill(q);
	count_restart(q);
}

static int qv_idle(struct view *v)
{
	struct qv *q = v->priv;
	int more = rank_step(q);
	if (!q->counting)
		return more;
	/* a chunk not counted (about a millisecond) per pass */
	struct counts *c = q->cur;
	size_t i = 0;
	while (i < c->nchunks && c->chunk[i] >= 0)
		i++;
	if (i < c->nchunks) {
		int64_t lo = (int64_t)i * CHUNK + 1;
		long n = db_queue_count(q->q, lo, lo + CHUNK - 1);
		if (n < 0) {
			q->counting = 0;
			return 0;
		}
		c->chunk[i] = n;
	}
	count_sum(q);
	q->t->dirty = 1;
	return q->counting || more;
}

static void qv_status(struct view *v, char *out, size_t n)
{
	struct qv *q = v->priv;
	char d[160];
	describe(q, d, sizeof(d));
	char at[32] = "";
	/* the position, as mutt and tig show it; while it is being counted
	 * (a far jump in a large store), the solution's number */
	long dealt = sel_id(q) && db_queue_dealt(&q->f) ? db_queue_rank(q->q, &(struct qpos){
				     db_assigned_ord(q->t->db, q->t->ann.name, sel_id(q)), sel_id(q)}) : -1;
	if (dealt > 0)
		snprintf(at, sizeof(at), "%ld/", dealt);
	else if (sel_id(q) && q->f.sort == QS_ID && !db_queue_dealt(&q->f) &&
		 q->rank_id == sel_id(q))
		snprintf(at, sizeof(at), "%ld/", q->rank);
	else if (sel_id(q))
		snprintf(at, sizeof(at), "#%lld of ", (long long)sel_id(q));
	snprintf(out, n, "%s  %s%ld%s solution%s", d, at, q->count, q->counting ? "+" : "",
		 q->count == 1 && !q->counting ? "" : "s");
}

static void qv_done(struct view *v)
{
	struct qv *q = v->priv;
	side_close(q);
	db_queue_close(q->q);
	free(q->regex);
	free(q->rule);
	free(q->dsname);
	free(q->picked);
	arena_free(&q->a);
	latex_free(&q->lx);
	for (size_t i = 0; i < q->ncounts; i++)
		counts_free(&q->counts[i]);
	free(q->counts);
	free(q);
	free(v);
}

/* To the n-th solution the queue lists (in its order): stepped to in
 * windows, so a far row costs one query a window. */
static int qv_command(struct view *v, const char *verb, const char *arg)
{
	struct qv *q = v->priv;
	if (strcmp(verb, "goto"))
		return 0;
	long n = strtol(arg, NULL, 10), seen = 0;
	struct qpos from = start_pos(), got[MAXROWS];
	while (n > 0 && seen < n) {
		int want = n - seen < MAXROWS ? (int)(n - seen) : MAXROWS;
		int k = db_queue_step(q->q, &from, 1, want, got);
		if (k <= 0)
			break;
		seen += k;
		from = got[k - 1];
	}
	if (n < 1 || seen < n) {
		tui_message(q->t, 1, "no row %ld: the queue lists %ld", n, seen);
		return 1;
	}
	select_id(q, from.id);
	return 1;
}

static const struct hint hints[] = {
	{A_HELP, "help"}, {A_ENTER, "open"}, {A_NEXT_UNLABELLED, "to do"},
	{A_FILTER, "filter"}, {A_DATASET, "data set"}, {A_SORT, "order"}, {A_SEARCH, "search"},
	{A_AUDIT, "audit"}, {A_PROMPT, "command"}, {A_QUIT, "quit"}, {A_NONE, NULL}};
static const struct view_ops queue_ops = {
	.hints = hints,
	.command = qv_command,
	.id = V_QUEUE,
	.draw = qv_draw,
	.act = qv_act,
	.mouse = qv_mouse,
	.reload = qv_reload,
	.search = qv_search,
	.found = qv_found,
	.idle = qv_idle,
	.status = qv_status,
	.done = qv_done,
};

struct view *queue_view_new(struct tui *t)
{
	struct view *v = xcalloc(1, sizeof(*v));
	struct qv *q = xcalloc(1, sizeof(*q));
	v->ops = &queue_ops;
	v->t = t;
	v->priv = q;
	q->t = t;
	q->f.what = t->set->filter;
	q->f.sort = t->set->sort;
	q->height = LINES > 3 ? LINES - 3 : 1;
	reopen(q);
	return v;
}
