/* batch_line.c - a request as a batch engine's line: its custom_id, its
 * body checked against the url's request shape, Ray Data's rows */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "batch.h"
#include "fconf.h"
#include "json.h"
#include "../db/db.h"

const char *const batch_targets[BT_COUNT] = {"openai", "vllm", "ray"};

int batch_target(const char *name)
{
	for (int t = 0; t < BT_COUNT; t++)
		if (!strcmp(name, batch_targets[t]))
			return t;
	return -1;
}

int batch_runs(int target, const char *provider, int kind, unsigned needs, char *why,
	       size_t n)
{
	static const char *const engine[BT_COUNT] = {
		"the OpenAI Batch API", "vLLM's run_batch", "Ray Data LLM"};
	if (kind == EP_POOLING) {
		snprintf(why, n, "%s scores over /pooling cannot go through %s (it has no "
			 "/pooling endpoint): fetch them online from a vLLM server of the PRM "
			 "(vllm serve MODEL, an endpoint of kind pooling), without --batch-out",
			 provider, engine[target]);
		return -1;
	}
	if (kind == EP_COMPLETIONS && target == BT_VLLM) {
		snprintf(why, n, "%s asks /v1/completions, which %s rejects: fetch it online "
			 "from a vLLM server (without --batch-out), or through --batch-for openai",
			 provider, engine[target]);
		return -1;
	}
	if (needs & BN_CONTINUE && target == BT_OPENAI) {
		snprintf(why, n, "%s continues the prefix as the assistant's message, which "
			 "%s does not do: --batch-for vllm or ray, or /v1/completions "
			 "(provider %s chat no)", provider, engine[target], provider);
		return -1;
	}
	if (needs & BN_LOGPROBS && target == BT_RAY) {
		snprintf(why, n, "%s reads log-probabilities, which %s's rows do not return: "
			 "fetch it online (without --batch-out), or through --batch-for openai",
			 provider, engine[target]);
		return -1;
	}
	return 0;
}

/* ---- the request's shape ---- */

static int bad(char *err, size_t n, const char *what)
{
	snprintf(err, n, "%s", what);
	return -1;
}

/* an optional member: absent, or of type t (an int when whole) */
static int opt_num(const struct jnode *o, const char *key, int whole, double lo, double hi)
{
	const struct jnode *v = jget(o, key);
	double d;
	long long i;
	if (!v)
		return 0;
	if (whole ? jint(v, &i) < 0 : jdouble(v, &d) < 0)
		return -1;
	if (whole)
		d = (double)i;
	return d >= lo && d <= hi ? 0 : -1;
}

static int check_messages(const struct jnode *msgs, int target, const struct jnode *body,
			  char *err, size_t n)
{
	static const char *const roles[] = {"system", "developer", "user", "assistant", "tool"};
	if (!msgs || msgs->type != J_ARR || !msgs->len)
		return bad(err, n, "no messages");
	const char *last = NULL;
	for (const struct jnode *m = msgs->child; m; m = m->next) {
		const struct jnode *role = m->type == J_OBJ ? jget(m, "role") : NULL;
		const struct jnode *content = m->type == J_OBJ ? jget(m, "content") : NULL;
		size_t r = 0;
		while (role && role->type == J_STR && r < ARRAY_SIZE(roles) &&
		       strcmp(role->str, roles[r]))
			r++;
		if (!role || role->type != J_STR || r == ARRAY_SIZE(roles))
			return bad(err, n, "a message without a known role");
		if (!content || content->type != J_STR)
			return bad(err, n, "a message without text content");
		last = role->str;
	}
	const struct jnode *cont = jget(body, "continue_final_message");
	const struct jnode *gen = jget(body, "add_generation_prompt");
	int continues = cont && cont->type == J_BOOL && cont->boolean;
	if ((cont && cont->type != J_BOOL) || (gen && gen->type != J_BOOL))
		return bad(err, n, "continue_final_message and add_generation_prompt are booleans");
	if ((strcmp(last, "assistant") == 0) != continues)
		return bad(err, n, continues ? "continue_final_message without an assistant "
			   "message last" : "an assistant message last without "
			   "continue_final_message");
	if (continues && target == BT_OPENAI)
		return bad(err, n, "the OpenAI Batch API does not continue an assistant message "
			   "(continue_final_message): use /v1/completions (provider mc chat no)");
	if (continues && (!gen || gen->boolean))
		return bad(err, n, "continue_final_message needs add_generation_prompt false");
	return 0;
}

/* body against the request shape of url for target */
static int check_body(const struct jnode *body, int target, const char *url, char *err,
		      size_t n)
{
	int chat = !strcmp(url, "/v1/chat/completions");
	if (!chat && strcmp(url, "/v1/completions"))
		return bad(err, n, "a url no batch engine reads here");
	if (!chat && target == BT_VLLM)
		return bad(err, n, "vLLM's run_batch rejects /v1/completions");
	if (!body || body->type != J_OBJ)
		return bad(err, n, "the body is not a JSON object");
	const struct jnode *model = jget(body, "model");
	if (!model || model->type != J_STR || !model->len)
		return bad(err, n, "no model");
	if (chat && check_messages(jget(body, "messages"), target, body, err, n) < 0)
		return -1;
	const struct jnode *prompt = jget(body, "prompt");
	if (!chat && (!prompt || prompt->type != J_STR))
		return bad(err, n, "no prompt");
	if (!chat && !jget(body, "max_tokens"))
		return bad(err, n, "no max_tokens (the completions endpoint gives 16 without it)");
	if (opt_num(body, "max_tokens", 1, 1, 1e9) < 0 ||
	    opt_num(body, "max_completion_tokens", 1, 1, 1e9) < 0)
		return bad(err, n, "max_tokens is not a positive integer");
	if (opt_num(body, "n", 1, 1, 1024) < 0)
		return bad(err, n, "n is not an integer from 1 to 1024");
	if (opt_num(body, "temperature", 0, 0, 2) < 0 || opt_num(body, "top_p", 0, 1e-9, 1) < 0)
		return bad(err, n, "temperature or top_p out of range");
	if (opt_num(body, "seed", 1, -9.2e18, 9.2e18) < 0)
		return bad(err, n, "seed is not an integer");
	return 0;
}

/* ---- the lines ---- */

#define ID_ROOM(sl) (sizeof("\"custom_id\":\"sm-") + (sl) + 2 * 24 + 4 + 32)

/* "custom_id":"sm-STORE-rR-jJOB-HASH at o (ID_ROOM(sl) bytes there, sl
 * the store's length): the end */
static char *custom_id_at(char *o, const struct batch_spec *spec, size_t sl, int64_t job,
			  const char *hash)
{
	static const char head[] = "\"custom_id\":\"sm-";
	memcpy(o, head, sizeof(head) - 1);
	o += sizeof(head) - 1;
	memcpy(o, spec->store, sl);
	o += sl;
	memcpy(o, "-r", 2);
	o = put_decimal(o + 2, spec->round);
	memcpy(o, "-j", 2);
	o = put_decimal(o + 2, job);
	*o++ = '-';
	memcpy(o, hash, 32);
	return o + 32;
}

/* the custom_id at out's end (a Ray row's) */
static void custom_id(struct buf *out, const struct batch_spec *spec, int64_t job,
		      const char *hash)
{
	size_t sl = strlen(spec->store);
	buf_grow(out, ID_ROOM(sl));
	char *o = custom_id_at(out->data + out->len, spec, sl, job, hash);
	*o = '\0';
	out->len = (size_t)(o - out->data);
}

/* Ray Data LLM rows: {custom_id, messages | prompt, sampling_params,
 * chat_template_kwargs}, one per sample with its own seed */
static void ray_rows(struct buf *out, const struct batch_spec *spec, int64_t job,
		     const struct jnode *body, const char *hash)
{
	long long n = 1, seed = 0, maxt = 16;
	jint(jget(body, "n"), &n);
	int seeded = jint(jget(body, "seed"), &seed) == 0;
	if (jint(jget(body, "max_tokens"), &maxt) < 0)
		jint(jget(body, "max_completion_tokens"), &maxt);
	const struct jnode *msgs = jget(body, "messages"), *v;
	for (long long i = 0; i < n; i++) {
		buf_putc(out, '{');
		custom_id(out, spec, job, hash);
		buf_printf(out, "-s%lldof%lld\",", i, n);
		buf_puts(out, msgs ? "\"messages\":" : "\"prompt\":");
		jwrite(out, msgs ? msgs : jget(body, "prompt"));
		buf_printf(out, ",\"sampling_params\":{\"max_tokens\":%lld", maxt);
		if ((v = jget(body, "temperature")))
			buf_printf(out, ",\"temperature\":%s", v->str);
		if ((v = jget(body, "top_p")))
			buf_printf(out, ",\"top_p\":%s", v->str);
		if (seeded)
			buf_printf(out, ",\"seed\":%lld", seed + i);
		if ((v = jget(body, "stop"))) {
			buf_puts(out, ",\"stop\":");
			jwrite(out, v);
		}
		buf_putc(out, '}');
		if ((v = jget(body, "continue_final_message")) && v->boolean)
			buf_puts(out, ",\"chat_template_kwargs\":{\"add_generation_prompt\":false,"
				 "\"continue_final_message\":true}");
		buf_puts(out, "}\n");
	}
}

/* the length of the UTF-8 sequence at s (at most n bytes): shortest
 * form, no surrogate, at most U+10FFFF; 0 when it is not one */
static size_t utf8_ok(const unsigned char *s, size_t n)
{
	size_t k = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!k || k > n || s[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return k;
}

/* \" \\ \/ \b \f \n \r \t: an escape that is c after the backslash (inline:
 * a strchr per escape was a call per step of every prompt) */
static int plain_escape(unsigned char c)
{
	switch (c) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return 1;
	default:
		return 0;
	}
}

/* The special byte at u[p] of a string (n bytes in all: a quote, a
 * backslash, a control character or a byte above 0x7f): how many bytes
 * it takes, 0 for the closing quote; *plain cleared when it is not an
 * escape \" \\ \/ \b \f \n \r \t or valid UTF-8. */
static inline size_t special(const unsigned char *u, size_t n, size_t p, int *plain)
{
	if (u[p] == '"')
		return 0;
	if (u[p] == '\\') {
		*plain &= p + 1 < n && plain_escape(u[p + 1]);
		return 2;
	}
	if (u[p] >= 0x80) {
		size_t k = utf8_ok(u + p, n - p);
		*plain &= k > 0;
		return k ? k : 1;
	}
	*plain = 0;
	return 1;
}

/* the end of the string whose opening quote is at s[i] (the index of its
 * closing quote, n when it has none); *plain when nothing in it but
 * printable ASCII, valid UTF-8 and the escapes \" \\ \/ \b \f \n \r \t.
 * 16 bytes at a time where SSE2 is, every special byte of the 16 taken
 * from the one mask: a prompt's "\n\n" between steps no longer left the
 * loop, nor loaded the same bytes again. */
static size_t string_end(const char *s, size_t n, size_t i, int *plain)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t j = i + 1, k;
	*plain = 1;
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x20);
	while (j + 16 <= n) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + j));
		/* a signed comparison: bytes above 0x7f are below the space too */
		__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
							_mm_cmpeq_epi8(v, bslash)),
					   _mm_cmplt_epi8(v, space));
		unsigned m = (unsigned)_mm_movemask_epi8(bad);
		size_t next = j + 16;
		while (m) {
			size_t p = j + (size_t)__builtin_ctz(m);
			if (!(k = special(u, n, p, plain)))
				return p;
			if (p + k >= next) { /* an escape or a character across the 16 */
				next = p + k;
				break;
			}
			m &= ~0u << (p + k - j);
		}
		j = next;
	}
#endif
	while (j < n) {
		if (u[j] >= 0x20 && u[j] != '"' && u[j] != '\\' && u[j] < 0x80) {
			j++;
			continue;
		}
		if (!(k = special(u, n, j, plain)))
			return j;
		j += k;
	}
	return n;
}

/* What of body (n bytes) the checks read, into out (n + 1 bytes at
 * most, a length returned): each string value of more than 64 bytes
 * that is plainly a valid JSON string (string_end) becomes "-", a
 * non-empty string too; keys, numbers, short strings, the model and every
 * string that needs a closer look (\u escapes, bytes that are not UTF-8,
 * control characters) are as they are. The same verdict at a fraction
 * of the bytes to parse: a prompt is most of a request. */
static size_t shape_of(char *out, const char *s, size_t n)
{
	size_t i = 0, kept = 0, o = 0;
	int model = 0; /* the last key was "model" */
	for (;;) {
		while (i < n && s[i] != '"') /* a comma, a colon, a number: a few bytes */
			i++;
		if (i >= n)
			break;
		int plain;
		size_t j = string_end(s, n, i, &plain), k = j + 1;
		if (j >= n)
			break;
		while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n'))
			k++;
		if (k < n && s[k] == ':') {
			model = j - i == 6 && !memcmp(s + i, "\"model", 6);
		} else if (plain && !model && j - i > 64) {
			memcpy(out + o, s + kept, i - kept);
			o += i - kept;
			memcpy(out + o, "\"-\"", 3);
			o += 3;
			kept = j + 1;
		}
		i = j + 1;
	}
	memcpy(out + o, s + kept, n - kept);
	o += n - kept;
	out[o] = '\0';
	return o;
}

void batch_shapes_free(struct batch_shapes *k)
{
	for (size_t i = 0; i < BATCH_SHAPES; i++) {
		free(k->v[i].key);
		free(k->v[i].model);
	}
	memset(k, 0, sizeof(*k));
}

/* The engine, url and shape of a request (n bytes at key) in known: its
 * model, or NULL. With model not NULL, it is put there (it passed). */
static const char *known_shape(struct batch_shapes *known, const char *key, size_t n,
			       const char *model)
{
	/* the last line's shape first, compared whole: most lines have it
	 * (a hash of the key was most of this) */
	size_t l = known->last;
	if (!model && l && known->v[l - 1].len == n && !memcmp(known->v[l - 1].key, key, n))
		return known->v[l - 1].model;
	uint64_t h = hash64(key, n, 0x5ba9e);
	size_t i = h % BATCH_SHAPES;
	if (!model) {
		if (known->v[i].h != h || known->v[i].len != n || memcmp(known->v[i].key, key, n))
			return NULL;
		known->last = i + 1;
		return known->v[i].model;
	}
	known->last = i + 1;
	free(known->v[i].key);
	free(known->v[i].model);
	known->v[i].h = h;
	known->v[i].len = n;
	known->v[i].key = xmalloc(n);
	memcpy(known->v[i].key, key, n);
	known->v[i].model = xstrdup(model);
	return model;
}

int batch_shape(struct buf *out, struct arena *a, struct batch_shapes *known,
		const struct batch_spec *spec, int64_t job, const char *url, const char *body,
		const char *hash, char *model, size_t mn, char *err, size_t errlen)
{
	arena_reset(a);
	size_t len = strlen(body), ul = strlen(url), kn = 0;
	const struct jnode *root = NULL;
	const char *passed = NULL;
	char *key = NULL;
	if (spec->target == BT_RAY) { /* its rows are made of the whole tree */
		root = jparse(a, body, len);
	} else { /* the engine, the url, a newline, the shape */
		key = arena_alloc(a, ul + len + 3);
		key[0] = (char)('0' + spec->target);
		memcpy(key + 1, url, ul);
		key[ul + 1] = '\n';
		kn = ul + 2 + shape_of(key + ul + 2, body, len);
		if (!known || !(passed = known_shape(known, key, kn, NULL)))
			root = jparse(a, key + ul + 2, kn - ul - 2);
	}
	char why[200];
	int rc = passed ? 0 : check_body(root, spec->target, url, why, sizeof(why));
	if (rc == 0) { /* snprintf's "%s" without its parse of the format */
		const char *m = passed ? passed : jget(root, "model")->str;
		size_t ml = strlen(m);
		ml = ml < mn ? ml : mn - 1;
		memcpy(model, m, ml);
		model[ml] = '\0';
	}
	if (rc == 0 && known && key && !passed)
		known_shape(known, key, kn, model);
	if (rc < 0) {
		snprintf(err, errlen, "a request of job %" PRId64 " for %s is not one %s runs: %s",
			 job, url, batch_targets[spec->target], why);
	} else if (spec->target == BT_RAY) {
		ray_rows(out, spec, job, root, hash);
	} else {
		/* in place, grown once: five buf_adds were a tenth of the line */
		static const char method[] = "\",\"method\":\"POST\",\"url\":\"";
		static const char at[] = "\",\"body\":";
		size_t sl = strlen(spec->store);
		buf_grow(out, 1 + ID_ROOM(sl) + sizeof(method) + ul + sizeof(at) + len + 2);
		char *o = out->data + out->len;
		*o++ = '{';
		o = custom_id_at(o, spec, sl, job, hash);
		memcpy(o, method, sizeof(method) - 1);
		o += sizeof(method) - 1;
		memcpy(o, url, ul);
		o += ul;
		memcpy(o, at, sizeof(at) - 1);
		o += sizeof(at) - 1;
		memcpy(o, body, len);
		o += len;
		memcpy(o, "}\n", 3);
		out->len = (size_t)(o + 2 - out->data);
	}
	return rc;
}

static int hexes(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") >= n;
}

int batch_id_parse(const char *s, size_t len, struct batch_id *id)
{
	memset(id, 0, sizeof(*id));
	id->sample = -1;
	if (len == 32 && hexes(s, 32)) { /* the first form: the hash alone */
		memcpy(id->hash, s, 32);
		return 0;
	}
	char tail[40] = "";
	long long job = 0;
	int used = 0;
	if (len < 57 || len > 120 || strncmp(s, "sm-", 3) || !hexes(s + 3, 16) || s[19] != '-')
		return -1;
	memcpy(id->store, s + 3, 16);
	if (sscanf(s + 20, "r%ld-j%lld-%n", &id->round, &job, &used) != 2 || used == 0 ||
	    id->round < 1 || job < 1)
		return -1;
	const char *h = s + 20 + used;
	if ((size_t)(h - s) + 32 > len || !hexes(h, 32))
		return -1;
	memcpy(id->hash, h, 32);
	id->job = job;
	size_t rest = len - (size_t)(h + 32 - s);
	if (!rest)
		return 0;
	if (rest >= sizeof(tail))
		return -1;
	memcpy(tail, h + 32, rest);
	used = 0;
	if (sscanf(tail, "-s%dof%d%n", &id->sample, &id->n, &used) != 2 || (size_t)used != rest ||
	    id->n < 1 || id->n > 1024 || id->sample < 0 || id->sample >= id->n)
		return -1;
	return 0;
}

int batch_store_id(struct db *db, char out[17])
{
	unsigned char r[8] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r)) {
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		memcpy(r, &t, sizeof(r));
	}
	if (fd >= 0)
		close(fd);
	char fresh[17];
	for (int i = 0; i < 8; i++)
		snprintf(fresh + 2 * i, 3, "%02x", r[i]);
	return db_batch_store_id(db, fresh, out);
}
