/* label.c - the workbench's labelling actions. An action runs at once when
 * the store is free; while another writer holds it (or the disk is full),
 * the action joins a queue that the workbench owns (it outlives the view
 * that took the key), shown in the status line and saved in order when
 * the lock is free (or there is room again). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui.h"
#include "../src/util.h"

struct label_pend {
	struct label_pend *next;
	int64_t sol;
	enum action a;
	int step;
	int alt;    /* a rating's alternative, -1: the step's own */
	int fe;     /* an adjudication's first error (-1 none); a category's
		     * recovery (1, 0, NO_RATING unsaid) */
	char *text;
	/* who acted as the key was typed: blind or not, and the time spent */
	const char *origin;
	long active_ms;
};

#define RETRY_MS 100
#define RETRY_FULL_MS 1000 /* a full disk: each try writes */

/* One action p on sol, in its own transaction. */
static int run(struct tui *t, struct db_solution *sol, const struct label_pend *p,
	       struct annot_result *res)
{
	struct db *db = t->db;
	guidelines_in_force(t); /* the version its labels record */
	struct annotator who = t->ann;
	const struct annotator *an = &who;
	enum action a = p->a;
	int step = p->step;
	const char *text = p->text;
	who.origin = p->origin;
	who.active_ms = p->active_ms;
	if (p->alt >= 0 && (a == A_RATE_GOOD || a == A_RATE_NEUTRAL || a == A_RATE_BAD ||
			    a == A_RATE_CLEAR))
		return annot_rate_alt(db, sol, an, step, p->alt,
				      a == A_RATE_GOOD ? 1 : a == A_RATE_NEUTRAL ? 0 :
				      a == A_RATE_BAD ? -1 : NO_RATING, res);
	switch (a) {
	case A_RATE_GOOD:
		return annot_rate(db, sol, an, step, 1, res);
	case A_RATE_NEUTRAL:
		return annot_rate(db, sol, an, step, 0, res);
	case A_RATE_BAD:
		return annot_rate(db, sol, an, step, -1, res);
	case A_RATE_CLEAR:
		return annot_rate(db, sol, an, step, NO_RATING, res);
	case A_FIRST_ERROR:
		return annot_first_error(db, sol, an, step, res);
	case A_NO_ERROR:
		return annot_no_error(db, sol, an, res);
	case A_ACCEPT:
		return annot_accept(db, sol, an, text, res);
	case A_FINISH:
		return annot_finish(db, sol, an, text, res);
	case A_NOTE:
		return annot_note(db, sol, an, step, text, res);
	case A_WRITE_STEP:
		return annot_correct(db, sol, an, step, text, res);
	case A_FLAG:
		return annot_flag(db, sol, an, step, res);
	case A_ADJUDICATE:
		return annot_adjudicate(db, sol, an, p->fe, text, res);
	case A_BLAME_AGENT:
		return annot_blame(db, sol, an, text, res);
	case A_CATEGORY:
		return annot_category(db, sol, an, step, text, p->fe, res);
	case A_UNDO:
		return annot_undo(db, sol, an, res);
	case A_REDO:
		return annot_redo(db, sol, an, res);
	default:
		snprintf(res->what, sizeof(res->what), "%s is not a labelling action",
			 action_table[a].name);
		return ANNOT_NOTHING;
	}
}

static void say_waiting(struct tui *t)
{
	tui_message(t, 1, "not saved yet: %s; %d action%s waiting",
		    t->pq_full ? "the disk is full (saved once there is room)" :
		    "another writer holds the store", t->npending, t->npending == 1 ? "" : "s");
}

/* the queue waits on rc (ANNOT_BUSY or ANNOT_FULL): the next try */
static void wait_on(struct tui *t, int rc)
{
	int was = t->pq_full;
	t->pq_full = rc == ANNOT_FULL;
	t->pq_next = mono_ms() + (t->pq_full ? RETRY_FULL_MS : RETRY_MS);
	if (was != t->pq_full)
		say_waiting(t);
}

/* in the queue: a copy of the action now, its text owned */
static void enqueue(struct tui *t, const struct label_pend *now)
{
	struct label_pend *p = xcalloc(1, sizeof(*p));
	*p = *now;
	p->next = NULL;
	p->text = now->text ? xstrdup(now->text) : NULL;
	if (t->pq_tail)
		t->pq_tail->next = p;
	else
		t->pq_head = p;
	t->pq_tail = p;
	t->npending++;
	if (!t->pq_full)
		t->pq_next = mono_ms() + RETRY_MS;
	say_waiting(t);
}

static void pop(struct tui *t)
{
	struct label_pend *p = t->pq_head;
	t->pq_head = p->next;
	if (!t->pq_head)
		t->pq_tail = NULL;
	t->npending--;
	free(p->text);
	free(p);
}

/* p (its text borrowed) now, or queued */
static int submit(struct tui *t, struct db_solution *sol, const struct label_pend *p)
{
	if (t->read_only) {
		tui_message(t, 1, "read-only: labels cannot be saved");
		t->failed++;
		return ANNOT_ERR;
	}
	if (t->pq_head) { /* behind the actions already waiting, in order */
		enqueue(t, p);
		return ANNOT_BUSY;
	}
	struct annot_result res;
	res.step = -1;
	int rc = run(t, sol, p, &res);
	t->undo_step = rc == ANNOT_OK ? res.step : -1;
	if (rc == ANNOT_BUSY || rc == ANNOT_FULL) { /* kept, to try again */
		t->pq_full = rc == ANNOT_FULL;
		t->pq_next = mono_ms() + (t->pq_full ? RETRY_FULL_MS : RETRY_MS);
		enqueue(t, p);
		return ANNOT_BUSY;
	}
	tui_saved(t, rc, sol->id, res.action, res.what);
	return rc;
}

int tui_label(struct tui *t, struct db_solution *sol, enum action a, int step, int alt,
	      const char *text)
{
	struct label_pend p = {.sol = sol->id, .a = a, .step = step, .alt = alt, .fe = NO_RATING,
			 .text = (char *)text, .origin = t->ann.origin,
			 .active_ms = t->ann.active_ms};
	return submit(t, sol, &p);
}

int tui_adjudicate(struct tui *t, struct db_solution *sol, int fe, const char *reason)
{
	struct label_pend p = {.sol = sol->id, .a = A_ADJUDICATE, .step = -1, .alt = -1, .fe = fe,
			 .text = (char *)reason, .origin = t->ann.origin,
			 .active_ms = t->ann.active_ms};
	return submit(t, sol, &p);
}

int tui_category(struct tui *t, struct db_solution *sol, int step, const char *key,
		 int recovered)
{
	struct label_pend p = {.sol = sol->id, .a = A_CATEGORY, .step = step, .alt = -1,
			 .fe = recovered, .text = (char *)key, .origin = t->ann.origin,
			 .active_ms = t->ann.active_ms};
	return submit(t, sol, &p);
}

int tui_label_retry(struct tui *t)
{
	int saved = 0;
	if (!t->pq_head || mono_ms() < t->pq_next)
		return 0;
	struct db_solution sol = {0};
	while (t->pq_head) {
		struct label_pend *p = t->pq_head;
		struct annot_result res;
		sol.id = p->sol;
		int rc = run(t, &sol, p, &res);
		if (rc == ANNOT_BUSY || rc == ANNOT_FULL) { /* the count stays in the status line */
			wait_on(t, rc);
			break;
		}
		tui_saved(t, rc, p->sol, res.action, res.what);
		pop(t);
		saved++;
	}
	db_solution_free(&sol);
	if (saved)
		tui_confirm_saved(t);
	return saved;
}

void tui_label_drop(struct tui *t, FILE *report)
{
	while (t->pq_head) {
		struct label_pend *p = t->pq_head;
		/* an adjudication names its first error, a rating its alternative */
		int step = p->a == A_ADJUDICATE ? p->fe : p->step;
		char alt[24];
		snprintf(alt, sizeof(alt), "%d", p->alt);
		const char *said = p->alt >= 0 ? alt : p->text;
		if (report)
			fprintf(report, "stepmark: not saved%s: %s on step %d of solution %lld%s%s\n",
				t->pq_full ? " (the disk was full)" : "",
				action_table[p->a].name, step + 1, (long long)p->sol,
				said ? ": " : "", said ? inert(said, 0) : "");
		pop(t);
	}
}
