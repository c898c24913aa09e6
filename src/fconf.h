/* fconf.h - endpoints and provider settings for the background fetches */
#ifndef SM_FCONF_H
#define SM_FCONF_H

#include <stddef.h>

/* The providers are the table in prov.c; a provider is its index there.
 * These bound the table and one provider's settings. */
#define P_MAX 16
#define POPT_MAX 8

/* What an endpoint speaks. */
enum ep_kind { EP_CHAT, EP_COMPLETIONS, EP_POOLING, EP_NKIND };
extern const char *const ep_kind_names[EP_NKIND];

struct endpoint {
	char *name;
	char *url;      /* API base, e.g. http://127.0.0.1:8000/v1 */
	char *model;
	int kind;       /* EP_* */
	unsigned serves; /* bit per provider; 0 = every one its kind can */
	char *key_env;  /* environment variable holding the API key */
	char *key_file; /* or a file (mode 0600) holding it */
	int concurrency;
	long timeout_ms, connect_timeout_ms;
	int max_tokens;
	double temperature, top_p;
	long seed;
	int max_n;      /* most samples one request may ask (n); 1 = none */
	int retries;    /* attempts after the first, for retryable failures */
	/* what real servers differ in */
	int completion_tokens; /* send max_completion_tokens (OpenAI's
				* reasoning models refuse max_tokens) */
	int sampling;   /* send temperature and top_p (they refuse those too) */
	char *reasoning_effort; /* sent when set */
	char *pooling_task;     /* /pooling's "task"; NULL: not sent */
	char *key;      /* read by fconf_resolve; never written anywhere */
	char *untrusted; /* a config others can write set a line of it (its
			  * path): its key is never read nor sent */
};

struct fconf {
	struct endpoint *eps;
	size_t neps;
	/* each provider's settings, in the order of its option table */
	long set[P_MAX][POPT_MAX];
	char *tmpl[P_MAX]; /* its template file; NULL: the built-in one */
	const char *untrusted; /* while conf_load reads a config others can
				* write (or one it sources): its path */
};

void fconf_init(struct fconf *c);
void fconf_free(struct fconf *c);
/* One line of the config language split in words: "endpoint NAME OPTION
 * VALUE" or "provider NAME OPTION VALUE". 0 ok, -1 with the reason in err. */
int fconf_line(struct fconf *c, int argc, const char *const *argv, char *err, size_t errlen);
/* 1 when endpoint e can serve provider p. */
int endpoint_serves(const struct endpoint *e, int p);
/* Reads the API keys of the endpoints serving the providers in mask
 * and checks that those endpoints agree on the model. -1 with the
 * reason in err (which never holds a key). */
int fconf_resolve(struct fconf *c, unsigned mask, char *err, size_t errlen);
/* The canonical JSON of what a provider's job asks: the job's identity
 * in the store. NULL (with err) when no endpoint serves p. */
char *fconf_params(const struct fconf *c, int p, char *err, size_t errlen);
/* 1 when p's requests are built from its template (mc in chat
 * continuation mode sends the problem and the prefix as messages). */
int fconf_uses_template(const struct fconf *c, int p);
/* 1 when the i-th endpoint serves p with the kind p needs. */
int fconf_endpoint_ok(const struct fconf *c, size_t i, int p);
/* The first endpoint serving p: it sets the model and the sampling
 * parameters of p's requests; the others add capacity. NULL when none. */
const struct endpoint *fconf_first(const struct fconf *c, int p);
/* The model of the endpoints serving p, or NULL. */
const char *fconf_model(const struct fconf *c, int p);

#endif
