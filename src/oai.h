/* oai.h - OpenAI-compatible responses: validation and retry rules */
#ifndef SM_OAI_H
#define SM_OAI_H

#include "json.h"
#include "util.h"

enum { OAI_OK, OAI_RETRY, OAI_FAIL };

struct oai_choice {
	const char *text;      /* message.content or text; NULL when null */
	const char *reasoning; /* message.reasoning or reasoning_content */
	const char *finish;    /* finish_reason, "" when absent */
	const struct jnode *top_logprobs; /* completions: the first token's */
};

struct oai_resp {
	int verdict;       /* OAI_* */
	char why[320];     /* the reason when not OAI_OK: inert, no secrets */
	struct oai_choice *choices;
	size_t nchoices;
	const struct jnode *pooling; /* /pooling: data[0].data */
	long tokens_in, tokens_out;
	int short_reply;   /* fewer choices than asked for */
	int no_n;          /* the server refuses n > 1 (llama.cpp) */
};

/* What a request expects back. */
enum { OAI_CHAT, OAI_COMPLETIONS, OAI_POOLING };

/*
 * Judges one response: status is the HTTP status (0 when the transfer
 * failed, with curl's reason in transport), body its bytes. n is the
 * number of choices asked for. Tree and strings live in a.
 * Retry: transport errors, 408, 409, 429, 5xx, malformed bodies, an
 * error object inside HTTP 200; never other 4xx or a quota error.
 */
int oai_check(struct arena *a, int kind, long status, const char *transport,
	      const char *body, size_t len, int n, struct oai_resp *r);

/* The endpoint option that fixes a refusal whose reason is why (an
 * oai_resp's), for a request of kind: "max-tokens-field
 * max_completion_tokens", "sampling no"...; NULL when none is known. */
const char *oai_hint(const char *why, int kind);

/* Seconds in an x-ratelimit-reset value: "1s", "6m0s", "20ms",
 * "1h2m3.5s", or plain seconds; -1 when unreadable. */
double oai_duration(const char *s);

/* Seconds to wait from retry-after-ms or Retry-After (seconds or an
 * HTTP date), capped at 120; -1 when neither says. */
double oai_retry_after(const char *retry_after_ms, const char *retry_after);

/* Backoff before attempt (1-based), with jitter: base * 2^(attempt-1),
 * capped, times a random factor in [0.5, 1.5). */
double oai_backoff(int attempt, double base, double cap, uint64_t *rng);

/* Copies msg into out, at most max bytes of it, with control characters
 * and invalid UTF-8 replaced, and every occurrence of secret masked. */
void oai_clean(char *out, size_t outlen, const char *msg, size_t max,
	       const char *secret);

#endif
