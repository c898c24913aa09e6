/* fmt_whowhen.c - Who&When: multi-agent failure logs, who failed and when */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "messages.h"

/*
 * One log per record (the data set ships one JSON object per file: a
 * directory import reads them all). Two shapes: Algorithm-Generated
 * names the agent in each turn's "name" (its role is user/assistant),
 * Hand-Crafted in "role" ("Orchestrator (-> WebSurfer)": the agent is
 * what comes before " ("). mistake_step is a string holding a 0-based
 * index into history. What the import keeps beside the steps, so that
 * an export gives the same shape back, is in meta.
 */

static const char *ww_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"history", "question", "mistake_agent"};
	const char *no = detect_keys(rec, need, ARRAY_SIZE(need), why, n);
	if (no)
		return no;
	if (jget(rec, "history")->type != J_ARR)
		return "\"history\" is not a list";
	return NULL;
}

/* "Orchestrator (-> WebSurfer)" acts as "Orchestrator". */
static const char *agent_of_role(struct rd *r, const char *role)
{
	const char *p = strstr(role, " (");
	return p && p > role ? arena_strndup(r->a, role, (size_t)(p - role)) : role;
}

static int read_turn(struct rd *r, const struct jnode *m, size_t i, struct step *st,
		     struct buf *scratch)
{
	if (m->type != J_OBJ)
		return rd_fail(r, "history[%zu] must be an object, not %s", i, jtype_name(m->type));
	const struct jnode *role = jget(m, "role"), *name = jget(m, "name");
	if (!role || role->type != J_STR)
		return rd_fail(r, "history[%zu].role must be a string", i);
	if (name && name->type != J_STR && name->type != J_NULL)
		return rd_fail(r, "history[%zu].name must be a string, not %s", i,
			       jtype_name(name->type));
	if (!(st->text = messages_content(r, jget(m, "content"), i, scratch)))
		return -1;
	st->chosen = -1;
	st->role = role->str;
	st->agent = name && name->type == J_STR ? name->str : agent_of_role(r, role->str);
	return 0;
}

static int read_turns(struct rd *r, const struct jnode *hist, struct item *it)
{
	size_t n = hist->len;
	if (n == 0)
		return rd_fail(r, "\"history\" is empty");
	it->steps = rd_alloc(r, n * sizeof(*it->steps));
	struct buf scratch = {0};
	size_t i = 0;
	int rc = 0;
	for (const struct jnode *m = hist->child; m && rc == 0; m = m->next, i++)
		rc = read_turn(r, m, i, &it->steps[i], &scratch);
	buf_free(&scratch);
	it->nsteps = rc == 0 ? n : 0;
	return rc;
}

/* The fields kept as they are, for the export. */
static const char *const kept[] = {"question_ID", "level", "system_prompt", "mistake_type"};

static void read_meta(struct rd *r, const struct jnode *rec, struct item *it,
		      const char *correct_key, int by_name)
{
	struct buf m = {0};
	buf_printf(&m, "{\"agent_field\":\"%s\"", by_name ? "name" : "role");
	if (correct_key)
		buf_printf(&m, ",\"correct_field\":\"%s\"", correct_key);
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		const struct jnode *v = jget(rec, kept[i]);
		if (!v)
			continue;
		buf_putc(&m, ',');
		wr_key(&m, kept[i]);
		jwrite(&m, v);
	}
	buf_putc(&m, '}');
	it->meta = arena_strndup(r->a, m.data, m.len);
	buf_free(&m);
}

/* The id: the record's "id", else its file's name without .json (a file
 * of several records without ids: FILE:LINE from the second on). */
static const char *key_of(struct rd *r, const struct jnode *rec)
{
	const char *id = rd_text(r, rec, "id", 0);
	if (id || r->err[0])
		return id;
	const char *base = strrchr(r->path, '/');
	base = base ? base + 1 : r->path;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	else if (n > 6 && strcmp(base + n - 6, ".jsonl") == 0)
		n -= 6;
	struct buf b = {0};
	buf_printf(&b, "%.*s", (int)n, base);
	if (r->line > 1)
		buf_printf(&b, ":%ld", r->line);
	const char *s = arena_strndup(r->a, b.data, b.len);
	buf_free(&b);
	return s;
}

/* mistake_step: a string holding an integer (the data's), or an integer;
 * -1 says the log has no decisive error. */
static int read_step(struct rd *r, const struct jnode *v, size_t n, int *out)
{
	long long s;
	int rc = rd_int_text(r, v, "mistake_step", &s);
	if (rc == -2)
		return rd_fail(r, "mistake_step must be a string holding an integer, not %s",
			       jtype_name(v->type));
	if (rc < 0)
		return -1;
	if (s < -1 || s >= (long long)n)
		return rd_fail(r, "mistake_step %lld is outside the %zu turns of history (0 .. %zu)",
			       s, n, n - 1);
	*out = (int)s;
	return 0;
}

static int read_attribution(struct rd *r, const struct jnode *rec, struct item *it)
{
	const struct jnode *v = jget(rec, "mistake_step");
	if (!v || v->type == J_NULL) {
		if (it->correct == 1) /* a log that succeeded: nothing decisive */
			rd_label(r, it, LK_FIRST_ERROR, -1, -1, NULL);
		return 0;
	}
	int step = -1;
	if (read_step(r, v, it->nsteps, &step) < 0)
		return -1;
	const char *agent = rd_str(r, rec, "mistake_agent", 0);
	const char *reason = rd_str(r, rec, "mistake_reason", 0);
	if (r->err[0])
		return -1;
	if (step >= 0 && !agent)
		return rd_fail(r, "mistake_step %d without a mistake_agent", step);
	int known = !agent;
	for (size_t i = 0; i < it->nsteps && !known; i++)
		known = !strcmp(it->steps[i].agent, agent);
	if (!known && r->warn) {
		char msg[300];
		snprintf(msg, sizeof(msg), "mistake_agent \"%.200s\" acts in no turn of the log",
			 agent);
		r->warn(r, msg);
	}
	rd_label(r, it, LK_FIRST_ERROR, -1, step, step >= 0 ? reason : NULL);
	it->labels[it->nlabels - 1].agent = step >= 0 ? agent : NULL;
	return 0;
}

static int ww_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object", jtype_name(rec->type));
	const struct jnode *hist = jget(rec, "history");
	if (!hist || hist->type != J_ARR)
		return rd_fail(r, "field \"history\" must be a list of turns");
	if (!(it->problem = rd_str(r, rec, "question", 1)))
		return -1;
	it->gold = rd_text(r, rec, "ground_truth", 0);
	if (r->err[0] || read_turns(r, hist, it) < 0)
		return -1;
	const char *correct_key = NULL;
	static const char *const ck[] = {"is_correct", "is_corrected"};
	for (size_t i = 0; i < ARRAY_SIZE(ck); i++) {
		const struct jnode *c = jget(rec, ck[i]);
		if (!c || c->type == J_NULL)
			continue;
		if (c->type != J_BOOL)
			return rd_fail(r, "field \"%s\" must be a boolean, not %s", ck[i],
				       jtype_name(c->type));
		it->correct = c->boolean;
		correct_key = ck[i];
	}
	int by_name = 0;
	for (const struct jnode *m = hist->child; m && !by_name; m = m->next)
		by_name = jget(m, "name") != NULL;
	if (!(it->key = key_of(r, rec)))
		return -1;
	read_meta(r, rec, it, correct_key, by_name);
	return read_attribution(r, rec, it);
}

/* The attribution in force: the label (or suggestion) that decided the
 * first error fe, for its agent and reason. */
static void attribution(const struct wr *w, const struct item *it, int fe,
			const char **agent, const char **reason)
{
	*agent = *reason = NULL;
	if (w->ro.agreed && !w->ro.source) { /* the deciders' agent, one's reason */
		*agent = it->agreed.agent;
		for (size_t i = 0; i < it->nlabels; i++) {
			const struct label *l = &it->labels[i];
			if ((l->kind == LK_FIRST_ERROR && l->value == fe) ||
			    (l->kind == LK_ADJUDICATION && l->fe == fe))
				if (l->text && *l->text && (!*agent || (l->agent && !strcmp(l->agent, *agent))))
					*reason = l->text;
		}
		return;
	}
	if (w->ro.source) {
		for (size_t i = 0; i < it->nsugs; i++) {
			const struct suggestion *g = &it->sugs[i];
			if (g->step == -1 && g->first_error == fe && sug_source_is(g, w->ro.source)) {
				*agent = g->agent;
				*reason = g->rationale;
			}
		}
		return;
	}
	const char *who = NULL;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_FIRST_ERROR && l->value == fe) {
			*agent = l->agent;
			*reason = l->text;
			who = l->annotator;
		}
	}
	if (*reason || !who)
		return;
	/* a person's reason: their newest note on the decisive turn */
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_NOTE && l->step == fe && !strcmp(l->annotator, who))
			*reason = l->text && *l->text ? l->text : NULL;
	}
}

static void put_str(struct buf *b, const char *key, const char *v)
{
	buf_putc(b, ',');
	wr_key(b, key);
	if (v)
		buf_json_str(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static void put_history(struct buf *b, const struct item *it, int by_name)
{
	buf_putc(b, ',');
	wr_key(b, "history");
	buf_putc(b, '[');
	for (size_t i = 0; i < it->nsteps; i++) {
		const struct step *st = &it->steps[i];
		buf_puts(b, i ? ",{" : "{");
		wr_key(b, "content");
		buf_json_str(b, st->text, strlen(st->text));
		put_str(b, "role", st->role ? st->role : st->agent);
		if (by_name)
			put_str(b, "name", st->agent);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

static int ww_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, ratings);
	free(ratings);
	if (fe == -2)
		return 1;
	const char *agent, *reason;
	attribution(w, it, fe, &agent, &reason);
	struct arena a = {0};
	const struct jnode *meta = it->meta ? jparse(&a, it->meta, strlen(it->meta)) : NULL;
	const struct jnode *af = meta ? jget(meta, "agent_field") : NULL;
	const struct jnode *cf = meta ? jget(meta, "correct_field") : NULL;
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "id");
	buf_json_str(b, it->key, strlen(it->key));
	put_str(b, "question", it->problem);
	for (size_t i = 0; meta && i < ARRAY_SIZE(kept); i++) {
		const struct jnode *v = jget(meta, kept[i]);
		if (v) {
			buf_putc(b, ',');
			wr_key(b, kept[i]);
			jwrite(b, v);
		}
	}
	put_str(b, "ground_truth", it->gold);
	if (it->correct >= 0) {
		buf_putc(b, ',');
		wr_key(b, cf && cf->type == J_STR ? cf->str : "is_correct");
		buf_puts(b, it->correct ? "true" : "false");
	}
	put_history(b, it, af && af->type == J_STR && !strcmp(af->str, "name"));
	put_str(b, "mistake_agent", agent);
	char step[24];
	snprintf(step, sizeof(step), "%d", fe);
	put_str(b, "mistake_step", step);
	put_str(b, "mistake_reason", reason);
	wr_category(w, it, fe, "mistake_category", "mistake_recovered");
	wr_agreement(w, it);
	buf_puts(b, "}\n");
	arena_free(&a);
	w->rows++;
	return 0;
}

const struct format_ops fmt_whowhen = {
	.name = "who-when",
	.summary = "Who&When failure logs: question, ground_truth, history of turns by agent, "
		   "mistake_agent, mistake_step, mistake_reason (a directory of *.json files, "
		   "or JSON Lines)",
	.own_labels = 1,
	.unit = "logs",
	.detect = ww_detect,
	.read = ww_read,
	.write = ww_write,
};
