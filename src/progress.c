/* progress.c - one progress line on standard error, the same for every
 * long command: what it does, done/total, rate, ETA */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "progress.h"
#include "util.h"

#define TTY_EVERY 0.25  /* seconds between redraws on a terminal */
#define CLOCK_EVERY 10. /* ms between reads of the clock, about */
#define BAR_WIDTH 24

/* set by the handler, read by any thread (import's reader asks too): an
 * atomic, not a volatile sig_atomic_t, which is safe only within the
 * thread the signal interrupts */
static atomic_int stop_asked;
/* progress_temp's files, ready for a signal handler (static: it has no
 * argument); temp_live says they are set */
static char temp_files[4][4096];
static atomic_int temp_live; /* (the handler may run on any thread) */

static void say(const char *msg)
{
	if (write(STDERR_FILENO, msg, strlen(msg)) < 0) {
		/* nothing more to do */
	}
}

static void on_stop(int sig)
{
	int saved = errno;
	if (!atomic_exchange(&stop_asked, 1)) {
		errno = saved;
		return;
	}
	/* the second: the program goes at once, its private files first */
	if (atomic_load(&temp_live)) {
		for (int i = 0; i < 4; i++)
			unlink(temp_files[i]);
		say("\nstepmark: stopped at once: nothing kept (the unfinished store is removed)\n");
	}
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

void progress_catch(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_stop; /* a second Ctrl-C kills */
	atomic_store(&stop_asked, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void progress_temp(const char *path)
{
	static const char *const ext[4] = {"", "-journal", "-wal", "-shm"};
	atomic_store(&temp_live, 0);
	if (!path || strlen(path) + 9 > sizeof(temp_files[0]))
		return;
	for (int i = 0; i < 4; i++)
		snprintf(temp_files[i], sizeof(temp_files[i]), "%s%s", path, ext[i]);
	atomic_store(&temp_live, 1);
}

void progress_release(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

int progress_stopped(void)
{
	return atomic_load_explicit(&stop_asked, memory_order_relaxed) != 0;
}

void progress_human(char *out, size_t n, double v)
{
	if (v >= 1e6)
		snprintf(out, n, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(out, n, "%.0fK", v / 1e3);
	else
		snprintf(out, n, "%.0f", v);
}

enum progress_mode progress_mode(int quiet, long every)
{
	if (quiet)
		return PROGRESS_OFF;
	if (isatty(STDERR_FILENO))
		return PROGRESS_TTY;
	return every > 0 ? PROGRESS_LINES : PROGRESS_OFF;
}

void progress_start(struct progress *p, enum progress_mode mode, long every,
		    const char *what, int64_t total, const char *unit)
{
	memset(p, 0, sizeof(*p));
	p->out = stderr;
	p->mode = mode;
	p->every = mode == PROGRESS_TTY ? TTY_EVERY : (double)every;
	/* tests/progress.sh: frames from small stores (milliseconds) */
	const char *ms = getenv("STEPMARK_PROGRESS_MS");
	if (ms && mode == PROGRESS_TTY)
		p->every = atof(ms) / 1e3;
	struct buf b = {0}; /* names from data never drive the terminal */
	inert_into(&b, what ? what : "");
	snprintf(p->what, sizeof(p->what), "%s", b.data ? b.data : "");
	buf_free(&b);
	p->unit = unit;
	p->total = total;
	p->read_ms = mono_ms();
	p->t0 = p->last = p->read_ms / 1e3;
	p->check = 1;
}

/* The counts: "12/100 solutions", "12.3/30.5 MB", ", 400 records". */
static void counts(const struct progress *p, char *o, size_t n)
{
	size_t k;
	if (!p->unit && p->total > 0)
		k = (size_t)snprintf(o, n, "%.1f/%.1f MB", p->done / 1e6, p->total / 1e6);
	else if (!p->unit)
		k = (size_t)snprintf(o, n, "%.1f MB", p->done / 1e6);
	else if (p->total > 0)
		k = (size_t)snprintf(o, n, "%lld/%lld %s", (long long)p->done,
				     (long long)p->total, p->unit);
	else
		k = (size_t)snprintf(o, n, "%lld %s", (long long)p->done, p->unit);
	if (p->count_unit && k < n)
		snprintf(o + k, n - k, ", %lld %s", (long long)p->count, p->count_unit);
}

/* ", 1234 records/s, ETA 0:00:12" (last: the time taken instead). */
static void pace(const struct progress *p, int last, char *o, size_t n)
{
	double el = mono_ms() / 1e3 - p->t0;
	double rate = el > 0 ? (double)(p->count_unit ? p->count : p->done - p->done0) / el : 0;
	const char *ru = p->rate_unit ? p->rate_unit : p->count_unit ? p->count_unit :
			 p->unit ? p->unit : "MB";
	if (!p->count_unit && !p->unit)
		rate /= 1e6;
	char eta[32] = "--:--";
	double left = (double)(p->total - p->done);
	double drate = el > 0 ? (double)(p->done - p->done0) / el : 0;
	if (drate > 0 && p->total > 0) {
		long s = (long)(left / drate);
		snprintf(eta, sizeof(eta), "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	}
	if (last)
		snprintf(o, n, ", %.*f %s/s, %.1f s", rate < 100 ? 1 : 0, rate, ru, el);
	else
		snprintf(o, n, ", %.*f %s/s, ETA %s", rate < 100 ? 1 : 0, rate, ru, eta);
}

/* display columns of s (UTF-8: continuation bytes take none) */
static int cols_of(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* the terminal's width, less the last column (writing there wraps) */
static int line_width(FILE *fp)
{
	struct winsize ws;
	int w = 0;
	if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0)
		w = ws.ws_col;
	if (w <= 0) {
		const char *c = getenv("COLUMNS");
		w = c ? atoi(c) : 0;
	}
	return (w > 0 ? w : 80) - 1;
}

/* s cut to its first cols columns, at a character's start */
static void cut_cols(char *s, int cols)
{
	int n = 0;
	for (char *q = s; *q; q++)
		if (((unsigned char)*q & 0xC0) != 0x80 && n++ == cols) {
			*q = '\0';
			return;
		}
}

/* what onto b, elided in its middle to cols columns ("import ve...ng.jsonl") */
static void elide(struct buf *b, const char *what, int cols)
{
	int have = cols_of(what);
	if (have <= cols || cols < 5) {
		if (have <= cols)
			buf_puts(b, what);
		return;
	}
	int head = (cols - 3) / 2, tail = cols - 3 - head;
	size_t at = b->len;
	buf_puts(b, what);
	cut_cols(b->data + at, head);
	b->len = at + strlen(b->data + at);
	const char *t = what + strlen(what);
	for (int k = 0; k < tail && t > what; k++) /* back over tail characters */
		while (--t > what && ((unsigned char)*t & 0xC0) == 0x80)
			;
	buf_puts(b, "...");
	buf_puts(b, t);
}

/*
 * One TTY frame on one line of the terminal: a line longer than the
 * terminal would wrap, and \r would then redraw only its last row. The
 * bar shrinks first, then goes; then the name is elided in its middle;
 * the counts, rate and ETA are the last to be cut.
 */
static void draw_tty(struct progress *p, const char *rest)
{
	int width = line_width(p->out);
	int bw = BAR_WIDTH, wc = cols_of(p->what), rc = cols_of(rest);
	if (bw + 3 + wc + rc > width)
		bw = 10;
	if (bw + 3 + wc + rc > width)
		bw = 0;
	struct buf line = {0};
	if (bw) {
		int fill = p->total > 0 ? (int)(bw * (p->done < p->total ? p->done : p->total) /
						p->total) : 0;
		buf_putc(&line, '[');
		for (int i = 0; i < bw; i++)
			buf_putc(&line, i < fill ? '#' : '.');
		buf_puts(&line, "] ");
	}
	int room = width - (bw ? bw + 3 : 0) - rc;
	size_t before = line.len;
	elide(&line, p->what, room < 0 ? 0 : room);
	/* without the name, the counts lose its ": " */
	buf_puts(&line, line.len > before || rest[0] != ':' ? rest : rest + 2);
	cut_cols(line.data, width);
	fprintf(p->out, "\r\033[K%s", line.data);
	buf_free(&line);
	p->shown = 1;
}

void progress_draw(struct progress *p, int last)
{
	if (p->mode == PROGRESS_OFF)
		return;
	char c[160], r[96];
	counts(p, c, sizeof(c));
	pace(p, last, r, sizeof(r));
	const char *sep = p->what[0] ? ": " : "";
	if (p->mode == PROGRESS_TTY) {
		struct buf rest = {0};
		buf_printf(&rest, "%s%s%s%s%s", sep, c, p->detail, r, p->tail);
		draw_tty(p, rest.data);
		buf_free(&rest);
	} else {
		fprintf(p->out, "%s%s%s%s%s%s\n", p->what, sep, c, p->detail, r, p->tail);
	}
	fflush(p->out);
	p->last = mono_ms() / 1e3;
}

int progress_due(struct progress *p)
{
	if (p->mode == PROGRESS_OFF)
		return 0;
	return mono_ms() / 1e3 - p->last >= p->every;
}

void progress_tick(struct progress *p)
{
	p->ticks = 0;
	if (p->mode == PROGRESS_OFF) {
		p->check = 1u << 20;
		return;
	}
	/* about one read of the clock per CLOCK_EVERY ms */
	double now = mono_ms();
	if (now - p->read_ms < CLOCK_EVERY && p->check < (1u << 16))
		p->check *= 2;
	else if (now - p->read_ms > 4 * CLOCK_EVERY && p->check > 1)
		p->check /= 2;
	p->read_ms = now;
	if (now / 1e3 - p->last >= p->every)
		progress_draw(p, 0);
}

int progress_set(struct progress *p, int64_t done)
{
	p->done = done;
	if (++p->ticks >= p->check)
		progress_tick(p);
	return atomic_load_explicit(&stop_asked, memory_order_relaxed) != 0;
}

int progress_db(void *ctx, int64_t done, int64_t total)
{
	struct progress *p = ctx;
	if (total > 0)
		p->total = total;
	return progress_set(p, done);
}

void progress_clear(struct progress *p)
{
	if (p->mode == PROGRESS_TTY && p->shown) {
		fputs("\r\033[K", p->out);
		p->shown = 0;
	}
}

void progress_end(struct progress *p)
{
	if (p->mode != PROGRESS_TTY)
		return;
	progress_draw(p, 1);
	fputc('\n', p->out);
	fflush(p->out);
	p->shown = 0;
	p->mode = PROGRESS_OFF;
}

void progress_stop(struct progress *p)
{
	if (p->mode == PROGRESS_TTY && p->shown) {
		fputc('\n', p->out);
		fflush(p->out);
	}
	p->shown = 0;
	p->mode = PROGRESS_OFF;
}
