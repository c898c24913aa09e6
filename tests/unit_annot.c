/* unit_annot.c - a property test of the labelling actions: thousands of
 * random actions (rate, first error, no error, accept, finish, note, undo,
 * redo, restarts) by two annotators on a real store. After every action
 * the labels in force never contradict each other, the action's own claim
 * holds, undo and redo give back exactly the state before and after, and
 * the ProcessBench export says what the status line says. The last
 * solution is an agent trace, whose decisive error says nothing of the
 * turns before it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "annot.h"
#include "export.h"
#include "summary.h"
#include "util.h"
#include "tap.h"

#define NSOL 4
#define NSTEPS 6
#define DEPTH 4096
#define NALTS 3

static const char *const annotators[2] = {"alice", "bob"};
static const char *const sources[3] = {"judge", "prm", "nosuch"};

static unsigned rnd(unsigned n)
{
	return tap_rnd(n);
}

/* a state as text: per step rating and F when filled, then fe and finish */
static char *encode(const struct annot_state *s)
{
	struct buf b = {0};
	for (size_t i = 0; i < s->n; i++)
		buf_printf(&b, "%s%s ", s->r[i] == NO_RATING ? "." : s->r[i] == 1 ? "+" :
			   s->r[i] == 0 ? "0" : "-", s->fill[i] ? "F" : "");
	buf_printf(&b, "fe=%d finish=%s", s->fe == NO_RATING ? -9 : s->fe,
		   s->finish[0] ? s->finish : "-");
	return b.data;
}

/* the alternatives' ratings and the flags in force, as text */
static char *marks(const struct item *it, const char *who)
{
	int alt[NSTEPS][NALTS], flag[NSTEPS];
	for (int i = 0; i < NSTEPS; i++) {
		flag[i] = 0;
		for (int j = 0; j < NALTS; j++)
			alt[i][j] = NO_RATING;
	}
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (strcmp(l->annotator, who) || l->step < 0 || l->step >= NSTEPS)
			continue;
		if (l->kind == LK_FLAG)
			flag[l->step] = l->value == 1;
		else if (l->kind == LK_ALT_RATING && l->alt >= 0 && l->alt < NALTS)
			alt[l->step][l->alt] = l->value;
	}
	struct buf b = {0};
	for (int i = 0; i < NSTEPS; i++) {
		buf_printf(&b, " %s", flag[i] ? "F" : "-");
		for (int j = 1; j < NALTS; j++)
			buf_printf(&b, "%s", alt[i][j] == NO_RATING ? "." : alt[i][j] == 1 ? "+" :
			           alt[i][j] == 0 ? "0" : "-");
	}
	return b.data;
}

static char *encode_all(const struct annot_state *s, const struct item *it, const char *who)
{
	char *a = encode(s), *m = marks(it, who);
	struct buf b = {0};
	buf_printf(&b, "%s |%s", a, m);
	free(a);
	free(m);
	return b.data;
}

/* the undo model of one annotator on one solution */
struct hist {
	char *before[DEPTH], *after[DEPTH];
	size_t nu;
	char *rb[DEPTH], *ra[DEPTH];
	size_t nr;
};
static struct hist hist[2][NSOL];

static void make_store(struct db *db)
{
	db_begin(db);
	int64_t ds = db_dataset_ensure(db, "d", "processbench");
	static const char *texts[NSTEPS] = {"s1", "s2", "s3", "s4", "s5", "s6"};
	for (int k = 0; k < NSOL; k++) {
		struct step steps[NSTEPS];
		struct alt alts[NSTEPS][NALTS];
		for (int i = 0; i < NSTEPS; i++) {
			for (int j = 0; j < NALTS; j++) /* the first is the step taken */
				alts[i][j] = (struct alt){j ? "another step" : texts[i], NO_RATING, -1, 0};
			steps[i] = (struct step){.text = texts[i], .chosen = 0, .alts = alts[i], .nalts = NALTS};
			if (k == NSOL - 1)
				steps[i].agent = i % 2 ? "Coder" : "Planner";
		}
		struct suggestion sugs[NSTEPS + 1];
		size_t ns = 0;
		if (k == 0 || k == 1) /* a judge: first error at step 3, or none */
			sugs[ns++] = (struct suggestion){"judge", "m", "t", -1, NO_VALUE,
							 k == 0 ? 2 : -1, 0, 0, NULL, NULL, 0, NULL};
		if (k == 2 || k == 0) /* a PRM: values, one bad step */
			for (int i = 0; i < NSTEPS; i++)
				sugs[ns++] = (struct suggestion){"prm", "p", "t", i,
								 i == 3 ? 0.1 : 0.9, -2, 0, 0, NULL, NULL, 0, NULL};
		char key[8];
		snprintf(key, sizeof(key), "k%d", k);
		struct item it = {0};
		it.key = key;
		it.problem = "p";
		it.correct = -1;
		it.steps = steps;
		it.nsteps = NSTEPS;
		it.sugs = sugs;
		it.nsugs = ns;
		db_item_insert(db, ds, 0, &it, NULL, NULL);
	}
	db_commit(db);
}

static int export_label(struct db *db, const char *ann, const char *key, const char *tmp)
{
	char flt_ann[64];
	snprintf(flt_ann, sizeof(flt_ann), "[\"%s\"]", ann);
	struct export_filter f = {.annotators_json = flt_ann};
	struct export_opts o = {.threshold = 0.5};
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	int rc = export_run(db, format_find("processbench"), &f, &o, tmp);
	fclose(stderr);
	stderr = saved;
	if (rc != 0)
		return -100;
	FILE *fp = fopen(tmp, "r");
	char line[4096];
	char want[32];
	snprintf(want, sizeof(want), "{\"id\":\"%s\"", key);
	int label = -2;
	while (fp && fgets(line, sizeof(line), fp)) {
		char *p = strstr(line, want), *l;
		if (p && (l = strstr(p, "\"label\":")))
			label = atoi(l + 8);
	}
	if (fp)
		fclose(fp);
	return label;
}

struct ctx {
	struct db *db;
	const char *path;
	int64_t ids[NSOL];
	long actions, saved, nothing;
};

/* the postcondition of one action: NULL when it holds */
static const char *post(int op, int step, int value, const char *text,
			const struct annot_state *o, const struct annot_state *s)
{
	switch (op) {
	case 0:
		return s->r[step] == value && !s->fill[step] ? NULL : "the rating typed is not in force";
	case 1:
		if (s->fe != step)
			return "the first error is not the step marked";
		for (int i = 0; i < step && s->decisive; i++) {
			int mark = o->fill[i] && o->r[i] == -1; /* an earlier claim's */
			if (mark ? s->r[i] != NO_RATING : s->r[i] != o->r[i] || s->fill[i] != o->fill[i])
				return "a turn before the decisive error changed";
		}
		for (int i = step + 1; i < (int)s->n; i++) {
			if (!o->fill[i] && (o->r[i] != s->r[i] || s->fill[i]))
				return "a hand-typed rating after the first error changed";
			if (o->fill[i] && s->r[i] != NO_RATING)
				return "a filled-in rating after the first error stayed";
		}
		for (int i = 0; i < step && !s->decisive; i++)
			if (s->r[i] != 0 && s->r[i] != 1)
				return "a step before the first error is not rated good";
		return NULL;
	case 2:
		for (size_t i = 0; i < s->n && s->decisive; i++) {
			int mark = o->fill[i] && o->r[i] == -1;
			if (mark ? s->r[i] != NO_RATING : s->r[i] != o->r[i])
				return "no decisive error changed a turn's own rating";
		}
		for (size_t i = 0; i < s->n && !s->decisive; i++)
			if (s->r[i] != 0 && s->r[i] != 1)
				return "no error, yet a step is not rated good";
		return s->fe == -1 ? NULL : "no error is not claimed";
	case 3:
		if (!strcmp(text, "judge") && (s->fe != 2 && s->fe != -1))
			return "accepting the judge did not take its first error";
		return NULL;
	case 4:
		return !strcmp(s->finish, text) ? NULL : "finish reason not in force";
	}
	return NULL;
}

static void one(struct ctx *c, int annidx, int k)
{
	struct annotator a = {.name = annotators[annidx], .origin = "test"};
	struct db_solution v = {0};
	v.id = c->ids[k];
	db_solution_load(c->db, v.id, &v);
	struct annot_state o, s;
	annot_state_load(&o, &v.it, a.name);
	char *omarks = marks(&v.it, a.name);
	struct annot_result res;
	int op = (int)rnd(11), step = (int)rnd(NSTEPS), value = 0, rc, alt = 0;
	static const int values[4] = {1, 0, -1, NO_RATING};
	const char *text = NULL;
	switch (op) {
	case 0:
		value = values[rnd(4)];
		rc = annot_rate(c->db, &v, &a, step, value, &res);
		break;
	case 1:
		rc = annot_first_error(c->db, &v, &a, step, &res);
		break;
	case 2:
		rc = annot_no_error(c->db, &v, &a, &res);
		break;
	case 3:
		text = sources[rnd(3)];
		rc = annot_accept(c->db, &v, &a, text, &res);
		break;
	case 4:
		text = annot_finish_reasons[rnd(4)];
		rc = annot_finish(c->db, &v, &a, text, &res);
		break;
	case 5:
		text = rnd(2) ? "a note" : "";
		rc = annot_note(c->db, &v, &a, step, text, &res);
		break;
	case 6:
	case 7:
		rc = annot_undo(c->db, &v, &a, &res);
		break;
	case 8:
		rc = annot_redo(c->db, &v, &a, &res);
		break;
	case 9: /* an alternative (0, the step taken, is refused) */
		alt = (int)rnd(NALTS);
		value = values[rnd(4)];
		rc = annot_rate_alt(c->db, &v, &a, step, alt, value, &res);
		break;
	default:
		rc = annot_flag(c->db, &v, &a, step, &res);
		break;
	}
	c->actions++;
	annot_state_load(&s, &v.it, a.name);
	char *after = encode_all(&s, &v.it, a.name), *before;
	{ /* before: the marks as they were */
		char *enc = encode(&o);
		struct buf bb = {0};
		buf_printf(&bb, "%s |%s", enc, omarks);
		free(enc);
		before = bb.data;
	}
	free(omarks);
	struct hist *h = &hist[annidx][k];
	CHECK(rc == ANNOT_OK || rc == ANNOT_NOTHING, "action %d failed: %d", op, rc);
	const char *bad = annot_state_check(&s);
	CHECK(!bad, "after action %d (%s): %s: %s", op, res.what, bad, after);
	if (rc == ANNOT_OK && (op <= 5 || op >= 9)) {
		c->saved++;
		const char *p = post(op, step, value, text, &o, &s);
		if (op >= 9) { /* the step ratings stay; the mark changed as asked */
			char *ro = encode(&o), *rs = encode(&s);
			CHECK(!strcmp(ro, rs), "an alternative or a flag changed the ratings: %s -> %s",
			      ro, rs);
			free(ro);
			free(rs);
			/* per step " F+-": the flag, then alternatives 2.. */
			size_t at = 1 + (size_t)step * (NALTS + 1) + 1;
			const char *m = strstr(after, "|") + at, *m0 = strstr(before, "|") + at;
			if (op == 9)
				CHECK(m[alt] == (value == NO_RATING ? '.' : value == 1 ? '+' :
					 value == 0 ? '0' : '-'), "alternative %d of step %d: %s",
				      alt + 1, step + 1, after);
			else
				CHECK((m[0] == 'F') != (m0[0] == 'F'),
				      "the flag on step %d did not turn: %s -> %s", step + 1, before, after);
		}
		CHECK(!p, "action %d step %d value %d: %s: %s -> %s", op, step + 1, value, p,
		      before, after);
		if (h->nu < DEPTH) {
			h->before[h->nu] = xstrdup(before);
			h->after[h->nu++] = xstrdup(after);
		}
		for (size_t i = 0; i < h->nr; i++) {
			free(h->rb[i]);
			free(h->ra[i]);
		}
		h->nr = 0;
	} else if (op == 6 || op == 7) {
		CHECK((rc == ANNOT_OK) == (h->nu > 0), "undo with %zu on the stack: %d", h->nu, rc);
		if (rc == ANNOT_OK && h->nu) {
			h->nu--;
			CHECK(!strcmp(after, h->before[h->nu]), "undo gave %s, want %s", after,
			      h->before[h->nu]);
			h->rb[h->nr] = h->before[h->nu];
			h->ra[h->nr++] = h->after[h->nu];
		}
	} else if (op == 8) {
		CHECK((rc == ANNOT_OK) == (h->nr > 0), "redo with %zu on the stack: %d", h->nr, rc);
		if (rc == ANNOT_OK && h->nr) {
			h->nr--;
			CHECK(!strcmp(after, h->ra[h->nr]), "redo gave %s, want %s", after,
			      h->ra[h->nr]);
			h->before[h->nu] = h->rb[h->nr];
			h->after[h->nu++] = h->ra[h->nr];
		}
	} else {
		c->nothing++;
		CHECK(!strcmp(before, after), "refused action %d changed %s -> %s", op, before, after);
		CHECK(res.what[0], "a refused action says why");
	}
	/* what the status line shows is what the labels say */
	int *r = xmalloc((NSTEPS + 1) * sizeof(int));
	int shown = summary_annotator(&v.it, a.name, r);
	if (s.fe >= -1)
		CHECK(shown == s.fe, "status shows %d, the claim is %d: %s", shown, s.fe, after);
	free(r);
	free(before);
	free(after);
	annot_state_free(&o);
	annot_state_free(&s);
	db_solution_free(&v);
}

static void check_exports(struct ctx *c, const char *tmp)
{
	for (int a = 0; a < 2; a++)
		for (int k = 0; k < NSOL; k++) {
			struct db_solution v = {0};
			db_solution_load(c->db, c->ids[k], &v);
			int *r = xmalloc((NSTEPS + 1) * sizeof(int));
			int shown = summary_annotator(&v.it, annotators[a], r);
			char key[8];
			snprintf(key, sizeof(key), "k%d", k);
			int exported = export_label(c->db, annotators[a], key, tmp);
			CHECK(exported == shown, "%s on %s: export says %d, status %d",
			      annotators[a], key, exported, shown);
			free(r);
			db_solution_free(&v);
		}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 4000;
	char path[] = "/tmp/unit_annot.XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%s.export", path);
	char err[512];
	struct ctx c = {0};
	c.path = path;
	c.db = db_open(path, err, sizeof(err));
	CHECK(c.db != NULL, "open: %s", err);
	if (!c.db)
		return tap_done();
	make_store(c.db);
	for (int k = 0; k < NSOL; k++)
		c.ids[k] = k + 1;
	for (long i = 0; i < n; i++) {
		if (rnd(200) == 0) { /* a restart: the history is in the store */
			db_close(c.db);
			c.db = db_open(path, err, sizeof(err));
		}
		one(&c, (int)rnd(2), (int)rnd(NSOL));
		if (i % 500 == 499)
			check_exports(&c, tmp);
		if (tap_failed > 20)
			break;
	}
	check_exports(&c, tmp);
	printf("# %ld actions: %ld saved, %ld refused\n", c.actions, c.saved, c.nothing);
	CHECK(c.saved > n / 3, "most actions saved: %ld of %ld", c.saved, n);

	/* the cases, by hand */
	struct annotator a = {.name = "carol", .origin = "test"};
	struct db_solution v = {0};
	v.id = 3;
	struct annot_result res;
	struct annot_state s;
	annot_rate(c.db, &v, &a, 1, -1, &res);
	annot_first_error(c.db, &v, &a, 4, &res);
	CHECK_STR(res.what, "first error at step 5; steps 1-4 now +1");
	annot_state_load(&s, &v.it, a.name);
	CHECK(s.r[1] == 1 && s.fe == 4, "- on 2 then e on 5");
	annot_state_free(&s);
	annot_undo(c.db, &v, &a, &res);
	annot_state_load(&s, &v.it, a.name);
	CHECK(s.r[1] == -1 && s.r[0] == NO_RATING && s.fe == NO_RATING, "one U takes it back");
	annot_state_free(&s);
	CHECK_STR(res.what, "undo first error at step 5; step 2 now -1; steps 1, 3-5 cleared; first error withdrawn");
	db_solution_free(&v);
	db_close(c.db);
	unlink(path);
	unlink(tmp);
	char wal[80];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	return tap_done();
}
