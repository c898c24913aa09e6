/* bgfetch.c - background suggestions in the workbench: starting the
 * engine, queueing the solution on screen first, the fetch action, the
 * engine's turn between keys, and its counts in the status line (while it
 * works, and a few seconds after) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui.h"
#include "../src/fetch.h"
#include "../src/prov.h"
#include "../src/util.h"

/* how long the counts stay in the status line once nothing runs */
#define LINGER_MS 3000.0

int bgfetch_start(struct tui *t, unsigned mask)
{
	struct bgfetch *bg = &t->bg;
	struct fconf *fc = config_fetch(t->cfg);
	if (!mask)
		mask = t->set->fetch;
	if (!mask) /* the offline ones, and those an endpoint serves */
		for (int p = 0; p < nproviders; p++)
			if (!provider_online(p) || fconf_model(fc, p))
				mask |= 1u << p;
	if (bg->fetch && (bg->mask | mask) == bg->mask)
		return 1;
	char err[600];
	if (fconf_resolve(fc, mask, err, sizeof(err)) < 0) {
		tui_message(t, 1, "fetch: %s", err);
		return 0;
	}
	if (bg->fetch) { /* more providers: a new engine */
		fetch_free(bg->fetch);
		bg->fetch = NULL;
		mask |= bg->mask;
	}
	if (!bg->fdb) {
		bg->fdb = db_open(t->dbpath, err, sizeof(err));
		if (!bg->fdb) {
			tui_message(t, 1, "fetch: %s", err);
			return 0;
		}
		db_set_busy_ms(bg->fdb, 20);
	}
	bg->fetch = fetch_new(bg->fdb, fc, mask, err, sizeof(err));
	if (!bg->fetch) {
		tui_message(t, 1, "fetch: %s", err);
		return 0;
	}
	bg->mask = mask;
	bg->focused = 0;
	return 1;
}

/* Queues sol's jobs for the providers in mask; 1 when the store took them */
static int queue_jobs(struct bgfetch *bg, int64_t sol, unsigned mask)
{
	if (db_begin(bg->fdb) < 0)
		return 0;
	for (int p = 0; p < nproviders; p++)
		if (mask >> p & 1)
			fetch_enqueue(bg->fetch, p, 0, sol, 0);
	if (db_commit(bg->fdb) < 0) {
		db_rollback(bg->fdb);
		return 0;
	}
	return 1;
}

/* The solution on screen goes first. */
static void focus(struct tui *t)
{
	struct bgfetch *bg = &t->bg;
	int64_t sol = t->on_screen;
	if (sol && t->set->fetch && !queue_jobs(bg, sol, t->set->fetch & bg->mask))
		return; /* the store is busy: the next pass tries again */
	fetch_prefer(bg->fetch, sol);
	bg->focused = sol;
}

void bgfetch_action(struct tui *t)
{
	struct bgfetch *bg = &t->bg;
	if (t->read_only) {
		tui_message(t, 1, "read-only: suggestions cannot be fetched into this store");
		return;
	}
	if (!t->on_screen) {
		tui_message(t, 1, "open a solution to fetch its suggestions");
		return;
	}
	if (!bgfetch_start(t, 0))
		return;
	if (!queue_jobs(bg, t->on_screen, bg->mask)) {
		tui_message(t, 1, "fetch: the store is busy; press @ again");
		return;
	}
	fetch_prefer(bg->fetch, t->on_screen);
	bg->focused = t->on_screen;
	char names[64] = "";
	for (int p = 0; p < nproviders; p++)
		if (bg->mask >> p & 1)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", provider_name(p));
	tui_message(t, 0, "fetching %s for solution %lld", names, (long long)t->on_screen);
}

int bgfetch_idle(struct tui *t)
{
	struct bgfetch *bg = &t->bg;
	int more = 0;
	if (!bg->fetch)
		return 0;
	if (t->on_screen != bg->focused)
		focus(t);
	if (fetch_work(bg->fetch, 8))
		more = 1;
	struct fetch_progress pg;
	fetch_progress(bg->fetch, &pg);
	long seen = pg.done * 7919 + pg.failed * 104729 + pg.inflight + pg.active * 31;
	if (seen != bg->seen) { /* the status line counts */
		bg->seen = seen;
		bg->seen_at = mono_ms();
		t->dirty = 1;
	} else if (bg->shown && !pg.active && !pg.inflight &&
		   mono_ms() - bg->seen_at >= LINGER_MS) {
		t->dirty = 1; /* idle a while: the counts leave the status line */
	}
	if (pg.notices != bg->notices) { /* how it adapted: said once */
		bg->notices = pg.notices;
		tui_message(t, 0, "fetch: %s", pg.notice);
	}
	return more;
}

int bgfetch_running(const struct tui *t)
{
	return t->bg.fetch != NULL;
}

int bgfetch_wait(struct tui *t, int fd, int ms)
{
	if (!t->bg.fetch)
		return 0;
	fetch_wait(t->bg.fetch, &fd, fd >= 0, ms);
	return 1;
}

void bgfetch_status(struct tui *t, char *out, size_t n)
{
	out[0] = '\0';
	if (!t->bg.fetch)
		return;
	struct fetch_progress pg;
	fetch_progress(t->bg.fetch, &pg);
	int idle = !pg.active && !pg.inflight;
	t->bg.shown = !idle || ((pg.done || pg.failed) && mono_ms() - t->bg.seen_at < LINGER_MS);
	if (t->bg.shown)
		snprintf(out, n, "  fetch %ld done%s%.0ld%s, %d running",
			 pg.done, pg.failed ? " " : "", pg.failed, pg.failed ? " failed" : "",
			 pg.inflight);
}

void bgfetch_close(struct tui *t)
{
	fetch_free(t->bg.fetch);
	t->bg.fetch = NULL;
	db_close(t->bg.fdb);
	t->bg.fdb = NULL;
}
