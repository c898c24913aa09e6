/* fetch_loop.c - the fetch engine's transfers driven by libcurl's socket API */
#include "config.h"

#include <poll.h>
#include <stdlib.h>

#include "fetch_loop.h"
#include "util.h"

#define EXTRA_FDS 4

struct fetch_loop {
	CURLM *multi;
	/* libcurl's sockets (n of them), then room for the caller's */
	struct pollfd *pfd;
	size_t n, cap;
	/* the sockets found ready, copied out: libcurl's callback changes
	 * pfd while it runs */
	curl_socket_t *ready;
	int *bits;
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

/* CURLMOPT_SOCKETFUNCTION: what libcurl wants to know of socket s */
static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sp)
{
	(void)e;
	(void)sp;
	struct fetch_loop *l = ud;
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
	l->pfd[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
				   (what & CURL_POLL_OUT ? POLLOUT : 0));
	l->pfd[i].revents = 0;
	return 0;
}

struct fetch_loop *floop_new(CURLM *m)
{
	struct fetch_loop *l = xcalloc(1, sizeof(*l));
	l->multi = m;
	reserve(l, 64 + EXTRA_FDS);
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m, CURLMOPT_SOCKETDATA, l);
	return l;
}

void floop_free(struct fetch_loop *l)
{
	if (!l)
		return;
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
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		short r = l->pfd[i].revents;
		if (!r)
			continue;
		l->pfd[i].revents = 0;
		l->ready[k] = l->pfd[i].fd;
		l->bits[k++] = (r & (POLLIN | POLLHUP | POLLPRI) ? CURL_CSELECT_IN : 0) |
			       (r & POLLOUT ? CURL_CSELECT_OUT : 0) |
			       (r & (POLLERR | POLLNVAL) ? CURL_CSELECT_ERR : 0);
	}
	for (size_t i = 0; i < k; i++)
		curl_multi_socket_action(l->multi, l->ready[i], l->bits[i], &running);
	if (floop_timer(l) == 0)
		curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

int floop_wait(struct fetch_loop *l, const int *fds, int n, int timeout_ms)
{
	long t = floop_timer(l);
	if (t >= 0 && t < timeout_ms)
		timeout_ms = (int)t;
	if (n > EXTRA_FDS)
		n = EXTRA_FDS;
	for (int i = 0; i < n; i++)
		l->pfd[l->n + (size_t)i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	int got = poll(l->pfd, l->n + (size_t)n, timeout_ms < 0 ? 0 : timeout_ms);
	int ready = 0;
	for (int i = 0; got > 0 && i < n; i++)
		ready |= l->pfd[l->n + (size_t)i].revents & POLLIN ? 1 << i : 0;
	if (got < 0) /* EINTR: nothing known */
		for (size_t i = 0; i < l->n; i++)
			l->pfd[i].revents = 0;
	return ready;
}
