/* bghub.c - the hub in the workbench's background: started when a hub is
 * given, its turn between keys, the loop's one wait (keys, transfers, the
 * hub's socket), its count in the status line, its last push at the end */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"
#include "tui.h"
#include "../src/fetch.h"
#include "../src/hubsync.h"
#include "../src/util.h"

#define LAST_PUSH_MS 1500.0 /* what the end waits for the last labels, at most */

int bghub_start(struct tui *t, const char *url)
{
	if (!url || !*url)
		url = t->set->hub;
	if (!url || !*url || t->read_only)
		return 1;
	char err[600];
	t->hub = hubsync_new(t->dbpath, url, t->ann.name, t->set->hub_interval, err, sizeof(err));
	if (!t->hub) {
		tui_message(t, 1, "hub: %s", inert(err, 0));
		return 0;
	}
	return 1;
}

/* STEPMARK_TIMINGS: each turn that did work ("hub-turn MS CPU-MS": what
 * a key typed then waited, and the work of it), each page stored
 * ("hub-page EVENTS ASKED CPU-MS NEXT") */
static void time_turn(struct tui *t, double t0, double c0, long pages)
{
	double ms = mono_ms() - t0;
	struct hubsync_page p;
	if (ms >= 0.05)
		fprintf(t->hooks.timings, "hub-turn %.3f %.3f\n", ms, cpu_ms() - c0);
	if (hubsync_last_page(t->hub, &p) != pages)
		fprintf(t->hooks.timings, "hub-page %ld %d %.3f %d\n", p.events, p.asked, p.ms,
			p.next);
}

const char *bghub_fit_news(const char *news, int cols, char *out, size_t n)
{
	static const char offline[] = "hub offline: ";
	size_t pre = strlen(offline), len = strlen(news);
	int room = cols - 50 > 43 ? cols - 50 : 43;
	if (room > 200)
		room = 200;
	if (strncmp(news, offline, pre) || text_width(news, len) <= room)
		return news;
	size_t skip, cut = wrap_line(news, len, room - 3, &skip);
	while (cut > pre && news[cut - 1] == ' ')
		cut--;
	if (cut <= pre) { /* no word fits whole: by glyph, inside the first */
		struct glyph g;
		int w = 0;
		for (cut = 0; cut < len; cut += g.len) {
			glyph_next(news + cut, len - cut, &g);
			if (w + g.width > room - 3)
				break;
			w += g.width;
		}
	}
	snprintf(out, n, "%.*s...", (int)cut, news);
	return out;
}

void bghub_idle(struct tui *t)
{
	if (!t->hub)
		return;
	struct hubsync_page p;
	long pages = hubsync_last_page(t->hub, &p);
	double t0 = mono_ms(), c0 = cpu_ms();
	if (hubsync_step(t->hub, t0))
		t->dirty = 1;
	if (t->hooks.timings)
		time_turn(t, t0, c0, pages);
	const char *news = hubsync_news(t->hub);
	char fit[1024]; /* 200 columns of up to 4 bytes */
	if (news)
		tui_message(t, strstr(news, "offline") || strstr(news, "not ") != NULL, "%s",
			    bghub_fit_news(inert(news, 0), COLS, fit, sizeof(fit)));
}

int bg_wait(struct tui *t, int keys, int ms)
{
	int wr = 0, hfd = t->hub ? hubsync_fd(t->hub, &wr) : -1;
	int hto = t->hub ? hubsync_timeout(t->hub, mono_ms()) : -1;
	if (hto >= 0 && hto < ms)
		ms = hto;
	if (t->bg.fetch) {
		int fds[2], n = 0;
		if (keys)
			fds[n++] = STDIN_FILENO;
		if (hfd >= 0 && !wr)
			fds[n++] = hfd;
		else if (hfd >= 0 && ms > 10)
			ms = 10; /* the engine's wait reads only: a write is short */
		fetch_wait(t->bg.fetch, fds, n, ms);
		return 1;
	}
	if (!t->hub)
		return 0;
	struct pollfd p[2];
	int n = 0;
	if (keys)
		p[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	if (hfd >= 0)
		p[n++] = (struct pollfd){.fd = hfd, .events = wr ? POLLOUT : POLLIN};
	poll(p, (nfds_t)n, ms); /* a signal ends it early: the loop looks */
	return 1;
}

int bghub_busy(const struct tui *t)
{
	return t->hub && hubsync_busy(t->hub);
}

void bghub_status(struct tui *t, char *out, size_t n)
{
	out[0] = '\0';
	if (!t->hub)
		return;
	long u = hubsync_unsynced(t->hub);
	if (u > 0)
		snprintf(out, n, "  %ld unsynced", u);
	else if (!hubsync_online(t->hub) && !hubsync_stopped(t->hub))
		snprintf(out, n, "  hub offline");
}

long bghub_close(struct tui *t)
{
	if (!t->hub)
		return 0;
	double end = mono_ms() + LAST_PUSH_MS;
	/* the round under way ends at its page; then, if labels wait and the
	 * hub answers, a round that pushes them: for a moment at most */
	hubsync_finish(t->hub);
	int began = 0;
	while (hubsync_online(t->hub) && mono_ms() < end) {
		if (!hubsync_busy(t->hub)) {
			if (began || t->stopped || hubsync_recount(t->hub) <= 0)
				break;
			began = 1;
			hubsync_round_now(t->hub);
		} else {
			bg_wait(t, 0, (int)(end - mono_ms()) + 1);
		}
		hubsync_step(t->hub, mono_ms());
	}
	long left = hubsync_recount(t->hub);
	hubsync_free(t->hub);
	t->hub = NULL;
	return left;
}
