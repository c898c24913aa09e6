/* fetch_loop.c - the fetch engine's transfers driven by libcurl's socket API */
#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#include "fetch_loop.h"
#include "util.h"

#define EXTRA_FDS 4
#define MAX_EVENTS 256

/*
 * On Linux the sockets are in an epoll set, changed as libcurl's
 * callback says (a few epoll_ctl calls per request); a wait costs what
 * is ready, not a look at every socket (poll() on 64 sockets was 7 % of
 * a fetch's CPU, perf). A caller's descriptors are polled beside the
 * set's own descriptor. Elsewhere, or when epoll cannot be had, one
 * poll() over the sockets.
 */
struct fetch_loop {
	CURLM *multi;
	int ep;                 /* the epoll set, or -1 */
	/* libcurl's sockets (n of them) with room for the caller's after
	 * them (poll), or the caller's and the set's (epoll) */
	struct pollfd *pfd;
	size_t n, cap;
	/* the sockets found ready and how: copied out, libcurl's callback
	 * changes the table while it runs */
	curl_socket_t *ready;
	int *bits;
	size_t nready;
};

static void reserve(struct fetch_loop *l, size_t want)
{
	if (want <= l->cap)
		return;
	l->cap = want > l->cap * 2 ? want : l->cap * 2;
	l->pfd = xrealloc(l->pfd, l->cap * sizeof(*l->pfd));
	l->ready = xrealloc(l->ready, l->cap * sizeof(*l->ready));
	l->bits = xrealloc(l->bits, l->cap * sizeof(*l->bits));
}

static int poll_events(int what)
{
	return (what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0);
}

static int select_bits(int r)
{
	return (r & (POLLIN | POLLHUP | POLLPRI) ? CURL_CSELECT_IN : 0) |
	       (r & POLLOUT ? CURL_CSELECT_OUT : 0) |
	       (r & (POLLERR | POLLNVAL) ? CURL_CSELECT_ERR : 0);
}

#ifdef __linux__
/* the set's side of on_socket: known (socketp set) or new */
static void ep_change(struct fetch_loop *l, CURL *e, curl_socket_t s, int what, void *sp)
{
	if (what == CURL_POLL_REMOVE) {
		/* a socket closed has left the set by itself */
		epoll_ctl(l->ep, EPOLL_CTL_DEL, s, NULL);
		return;
	}
	struct epoll_event ev = {.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
					   (what & CURL_POLL_OUT ? EPOLLOUT : 0),
				 .data.fd = s};
	/* known to the set (libcurl keeps our mark until it removes it),
	 * or new: whichever it is, the other is tried after */
	int op = sp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(l->ep, op, s, &ev) < 0)
		epoll_ctl(l->ep, op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s, &ev);
	if (!sp)
		curl_multi_assign(l->multi, s, l);
	(void)e;
}
#endif

/* CURLMOPT_SOCKETFUNCTION: what libcurl wants to know of socket s */
static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sp)
{
	struct fetch_loop *l = ud;
#ifdef __linux__
	if (l->ep >= 0) {
		ep_change(l, e, s, what, sp);
		return 0;
	}
#endif
	(void)e;
	(void)sp;
	size_t i = 0;
	while (i < l->n && l->pfd[i].fd != s)
		i++;
	if (what == CURL_POLL_REMOVE) {
		if (i < l->n)
			l->pfd[i] = l->pfd[--l->n];
		return 0;
	}
	if (i == l->n) {
		reserve(l, l->n + 1 + EXTRA_FDS);
		l->pfd[l->n++].fd = s;
	}
	l->pfd[i].events = (short)poll_events(what);
	l->pfd[i].revents = 0;
	return 0;
}

struct fetch_loop *floop_new(CURLM *m)
{
	struct fetch_loop *l = xcalloc(1, sizeof(*l));
	l->multi = m;
	l->ep = -1;
#ifdef __linux__
	l->ep = epoll_create1(EPOLL_CLOEXEC);
#endif
	reserve(l, l->ep >= 0 ? MAX_EVENTS : 64 + EXTRA_FDS);
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m, CURLMOPT_SOCKETDATA, l);
	return l;
}

void floop_free(struct fetch_loop *l)
{
	if (!l)
		return;
	if (l->ep >= 0)
		close(l->ep);
	free(l->pfd);
	free(l->ready);
	free(l->bits);
	free(l);
}

long floop_timer(const struct fetch_loop *l)
{
	long ms = -1;
	if (curl_multi_timeout(l->multi, &ms) != CURLM_OK)
		return -1;
	return ms;
}

void floop_run(struct fetch_loop *l)
{
	int running;
	for (size_t i = 0; l->ep < 0 && i < l->n; i++) {
		short r = l->pfd[i].revents;
		if (!r)
			continue;
		l->pfd[i].revents = 0;
		l->ready[l->nready] = l->pfd[i].fd;
		l->bits[l->nready++] = select_bits(r);
	}
	/* a socket that went (another's transfer closed it) is skipped by
	 * libcurl: it knows it no longer */
	for (size_t i = 0; i < l->nready; i++)
		curl_multi_socket_action(l->multi, l->ready[i], l->bits[i], &running);
	l->nready = 0;
	if (floop_timer(l) == 0)
		curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

#ifdef __linux__
/* the set's sockets ready within timeout_ms into ready[], bits[] */
static void ep_wait(struct fetch_loop *l, int timeout_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int got = epoll_wait(l->ep, ev, MAX_EVENTS, timeout_ms);
	l->nready = 0;
	for (int i = 0; i < got; i++) {
		unsigned r = ev[i].events;
		l->ready[l->nready] = ev[i].data.fd;
		l->bits[l->nready++] = (r & (EPOLLIN | EPOLLHUP | EPOLLPRI) ? CURL_CSELECT_IN : 0) |
				       (r & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
				       (r & EPOLLERR ? CURL_CSELECT_ERR : 0);
	}
}
#endif

int floop_wait(struct fetch_loop *l, const int *fds, int n, int timeout_ms)
{
	long t = floop_timer(l);
	if (t >= 0 && t < timeout_ms)
		timeout_ms = (int)t;
	if (timeout_ms < 0)
		timeout_ms = 0;
	if (n > EXTRA_FDS)
		n = EXTRA_FDS;
	size_t at = l->ep >= 0 ? 0 : l->n; /* where the caller's go */
#ifdef __linux__
	if (l->ep >= 0 && n == 0) {
		ep_wait(l, timeout_ms);
		return 0;
	}
#endif
	for (int i = 0; i < n; i++)
		l->pfd[at + (size_t)i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	if (l->ep >= 0) /* the set itself, readable when a socket in it is */
		l->pfd[at + (size_t)n] = (struct pollfd){.fd = l->ep, .events = POLLIN};
	int got = poll(l->pfd, at + (size_t)n + (l->ep >= 0), timeout_ms);
	int ready = 0;
	for (int i = 0; got > 0 && i < n; i++)
		ready |= l->pfd[at + (size_t)i].revents & POLLIN ? 1 << i : 0;
#ifdef __linux__
	if (l->ep >= 0 && got > 0 && l->pfd[at + (size_t)n].revents)
		ep_wait(l, 0);
#endif
	if (got < 0) /* EINTR: nothing known */
		for (size_t i = 0; i < at; i++)
			l->pfd[i].revents = 0;
	return ready;
}
