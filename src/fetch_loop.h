/* fetch_loop.h - the fetch engine's transfers driven by libcurl's socket API */
#ifndef SM_FETCH_LOOP_H
#define SM_FETCH_LOOP_H

#include <curl/curl.h>

/*
 * libcurl told which sockets to watch and when its next timer is due
 * (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION); one poll() waits on
 * them and on the caller's descriptors, and libcurl runs only the
 * transfers whose sockets are ready or whose timers are due. With
 * curl_multi_perform every transfer in flight was run at every call, and
 * libcurl asked the kernel about each one's socket (a poll() per transfer
 * per call: 10.8 per request at concurrency 64).
 */
struct fetch_loop;

/* Takes over m's socket and timer callbacks. */
struct fetch_loop *floop_new(CURLM *m);
void floop_free(struct fetch_loop *l);

/* libcurl run on the sockets the last wait found ready and on its
 * timers due (transfers just added are due at once). */
void floop_run(struct fetch_loop *l);

/* ms until libcurl's next timer (0: due), -1 when it has none */
long floop_timer(const struct fetch_loop *l);

/* Waits at most timeout_ms for libcurl's sockets, its next timer, and
 * fds[0..n) (n <= 4) to be readable; the mask of fds ready (bit i). */
int floop_wait(struct fetch_loop *l, const int *fds, int n, int timeout_ms);

#endif
