/* unit_fetch.c - the pure parts of fetching: the arithmetic checker, the
 * response rules, templates and endpoint lines */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "calc.h"
#include "fconf.h"
#include "oai.h"
#include "prompt.h"
#include "prov.h"

static void claims(const char *text, int want_wrong, int want_checked)
{
	struct buf r = {0};
	int checked;
	int wrong = calc_check(text, &r, &checked);
	CHECK(wrong == want_wrong && checked == want_checked,
	      "\"%s\": %d wrong of %d, want %d of %d; report: %s", text, wrong, checked,
	      want_wrong, want_checked, r.data ? r.data : "");
	buf_free(&r);
}

static void eval(const char *s, long long num, long long den, int rc)
{
	struct rat v = {0, 1};
	int got = calc_eval(s, strlen(s), &v);
	CHECK(got == rc && (rc || (v.n == num && v.d == den)),
	      "%s = %lld/%lld rc %d, want %lld/%lld rc %d", s, (long long)v.n,
	      (long long)v.d, got, num, den, rc);
}

static int check(long status, const char *body, int n, int kind, char *why)
{
	struct arena a = {0};
	struct oai_resp r;
	int v = oai_check(&a, kind, status, "Connection reset by peer", body,
			  body ? strlen(body) : 0, n, &r);
	strcpy(why, r.why);
	arena_free(&a);
	return v;
}

/* align-judge's replies, read leniently: "v:refs" per step, "." when the
 * step was left out */
static char ajgot[512];
static const char *aj(const char *reply, size_t nsteps, size_t nrefs)
{
	struct aj_step st[8];
	struct arena a = {0};
	char why[200];
	int n = aj_parse(reply, nsteps, nrefs, st, &a, why, sizeof(why));
	size_t o = 0;
	if (n < 0)
		snprintf(ajgot, sizeof(ajgot), "error: %s", why);
	else
		for (size_t i = 0; i < nsteps; i++) {
			if (st[i].step < 0) {
				o += (size_t)snprintf(ajgot + o, sizeof(ajgot) - o, "%s.", i ? " " : "");
				continue;
			}
			o += (size_t)snprintf(ajgot + o, sizeof(ajgot) - o, "%s%g:", i ? " " : "",
					      st[i].verdict);
			for (int r = 0; r < st[i].nrefs; r++)
				o += (size_t)snprintf(ajgot + o, sizeof(ajgot) - o, "%s%d", r ? "," : "",
						      st[i].refs[r]);
		}
	arena_free(&a);
	return ajgot;
}

static void align_judge_replies(void)
{
	const char *plain = "[{\"step\": 0, \"reference\": [0], \"verdict\": \"correct\", \"reason\": \"ok\"},"
			    " {\"step\": 1, \"reference\": [], \"verdict\": \"neutral\"},"
			    " {\"step\": 2, \"reference\": [1, 2], \"verdict\": \"incorrect\"}]";
	CHECK_STR(aj(plain, 3, 3), "1:0 0.5: 0:1,2");
	CHECK_STR(aj("Sure.\n```json\n[{\"step\": 0, \"reference\": 0, \"verdict\": \"Correct\"},]\n```\nHope it helps", 1, 2),
		  "1:0");
	CHECK_STR(aj("{\"steps\": [{\"index\": 0, \"refs\": [1,], \"label\": \"-\"},],}", 1, 2), "0:1");
	CHECK_STR(aj("{\"0\": {\"reference\": [0], \"verdict\": \"correct\"}, \"step 1\": {\"verdict\": 1}}", 2, 1),
		  "1:0 1:");
	/* numbered from 1 though asked from 0 */
	CHECK_STR(aj("[{\"step\": 1, \"reference\": [1], \"verdict\": \"correct\"}, {\"step\": 2, \"reference\": [2], \"verdict\": \"incorrect\"}]", 2, 2),
		  "1:0 0:1");
	/* by position, a step left out, a reference out of range dropped */
	CHECK_STR(aj("[{\"reference\": [0, 9], \"verdict\": \"correct\"}, {\"step\": 2, \"verdict\": \"wrong\"}]", 3, 1),
		  "1:0 . 0:");
	/* a step said twice: the first holds */
	CHECK_STR(aj("[{\"step\": 0, \"verdict\": \"correct\"}, {\"step\": 0, \"verdict\": \"incorrect\"}]", 1, 0), "1:");
	CHECK(!strncmp(aj("Every step is fine.", 2, 2), "error: the reply holds no JSON list of steps", 44), "%s", ajgot);
	CHECK_STR(aj("[1, 2, 3]", 2, 2), "error: the reply's JSON judges no step");
	CHECK_STR(aj(NULL, 2, 2), "error: the reply has no content");
	CHECK_STR(aj("[{\"step\": 0, \"verdict\": \"maybe\"}]", 1, 0), "-1:");
}

/* A job's requests in turn (MC's prefixes, then the empty one) are the
 * requests made alone: the same bodies and hashes (preq_hash's), though
 * each reuses the escaped prompt and the hash's state of the one before */
static void job_requests(void)
{
	struct step ss[5] = {{.text = "A \xc3\xa9", .chosen = -1}, {.text = "B\xe4\xb8", .chosen = -1},
			     {.text = "\"C\\\t\x01", .chosen = -1}, {.text = "D", .chosen = -1},
			     {.text = "E \xf0\x9f\x98\x80", .chosen = -1}};
	struct item it = {.problem = "P \xc3\xa9?", .steps = ss, .nsteps = 5};
	static const int kinds[] = {EP_COMPLETIONS, EP_CHAT, EP_CHAT, EP_POOLING};
	static const char *const tmpls[] = {"Q: {problem}\n\n{prefix}\n\n", NULL, "{problem}|{prefix}",
					    "{problem}{marked}"};
	char model[] = "m\"1";
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct endpoint ep = {.model = model, .kind = kinds[k], .max_tokens = 16,
				      .sampling = 1, .temperature = 0.7, .top_p = 1, .max_n = 8};
		struct pjob pj = {.ep = &ep, .tmpl = tmpls[k], .v = {.it = it}};
		for (int u = 0; u <= 5; u++)
			pjob_ask(&pj, u, 8, u < 5 ? u : -1, 0);
		for (size_t i = 0; i < pj.nreqs; i++) {
			struct pjob one = {.ep = &ep, .tmpl = tmpls[k], .v = {.it = it}};
			pjob_ask(&one, (int)i, 8, i < 5 ? (int)i : -1, 0);
			char h[33];
			preq_hash(pj.reqs[i].path, pj.reqs[i].body, h);
			CHECK(!strcmp(pj.reqs[i].body, one.reqs[0].body) &&
			      !strcmp(pj.reqs[i].hash, one.reqs[0].hash) && !strcmp(h, one.reqs[0].hash),
			      "kind %zu, request %zu as made alone: %s", k, i, pj.reqs[i].body);
			preq_free(&one.reqs[0]);
			free(one.reqs);
		}
		for (size_t i = 0; i < pj.nreqs; i++)
			preq_free(&pj.reqs[i]);
		free(pj.reqs);
	}
}

int main(void)
{
	/* exact arithmetic */
	eval("48/2", 24, 1, 0);
	eval("1/3 + 1/6", 1, 2, 0);
	eval("2^10 - 24", 1000, 1, 0);
	eval("\\frac{14}{2} \\times 3", 21, 1, 0);
	eval("2(3+4)", 14, 1, 0);
	eval("1,000 * 1.5", 1500, 1, 0);
	eval("-3 + 5", 2, 1, 0);
	eval("5 / 0", 0, 0, -2);
	eval("99999999999 * 99999999999", 0, 0, -2);
	eval("3 apples", 0, 0, -1);

	/* claims in steps */
	claims("Natalia sold 48/2 = <<48/2=24>>24 clips in May.", 0, 1); /* once */
	claims("So she earned <<12*50=600>>600 dollars.", 0, 1);
	claims("That makes <<12*50=650>>650 dollars.", 1, 1);
	claims("Then \\(18 - 6 = 12\\) flamingos are left, and 12 + 6 = 18.", 0, 2);
	claims("We get 3 * 4 = 13 apples.", 1, 1);
	claims("10 + 7 + 6 = 23 = 20 + 3", 0, 2);
	claims("10/3 = 3.33 per person", 0, 1);    /* a rounded decimal */
	claims("10/3 = 3.4 per person", 1, 1);
	claims("Let x = 5. Then 2x + 3 = 13.", 0, 0); /* algebra is not a claim */
	claims("The answer is 42.", 0, 0);
	claims("Step 1: 5 = 5", 0, 0);               /* no operator */
	claims("15 \\times 2 = 30 and 30 \xc3\xb7 3 = 10", 0, 2);
	claims("5 \xe2\x88\x92 7 = \xe2\x88\x92" "2", 0, 1);
	/* what cannot be read whole is not a claim (ProcessBench's false alarms) */
	claims("f(3) = 2(6) + 3 = 15", 0, 1);           /* not (3) = 2(6) + 3 */
	claims("20% of $20 = 0.20 \xc3\x97 $20 = $4", 0, 2);
	claims("One-third of 27 = 27 \xc3\xb7 3 = 9", 0, 1);
	claims("So 3\\frac{1}{2} = 3.5 cups", 0, 0);   /* a mixed number */
	claims("\\binom{6}{2} = 15", 0, 0);
	claims("r_3^2=81 and 2r_1r_2+81=0", 0, 0);
	claims("25\\% \\text{ of } \\$2,000.00 = 0.25 \\times 2000 = \\$500.00", 0, 2);
	/* percentages it reads are checked, both ways */
	claims("20% of 50 = 10", 0, 1);
	claims("20% of 50 = 12", 1, 1);
	claims("(4 / 20) * 100 = 0.2 * 100 = 20%", 0, 2);
	/* competition text (issue 27): delimiters and list bullets end a claim */
	claims("- \\(10 = 2 \\times 5\\) - \\(11 = 11\\)", 0, 1);
	claims("- \\(2^9 = 512\\)\n- \\(3^1 = 3\\)\n- \\(5^8\\) is large", 0, 2);
	claims("- 3 \\times 8 = 24\n- 24 + 1 = 25", 0, 2);     /* a bullet, not a minus */
	claims("* 3 * 8 = 24", 0, 1);
	claims("- \\( \\frac{2}{2} = 1 \\neq 2 \\)", 0, 1);
	claims("$2^9 = 512$ - $3^1 = 3$", 0, 2);
	/* operands cut short are no claim */
	claims("\\[ 9 = \\frac{1}{4} d(d - 3) \\]", 0, 0);
	claims("$9 = \\frac{1}{4} d(d - 3)$", 0, 0);
	claims("So, \\( m \\circ 2 = \\frac{1}{2} \\) for any \\( m \\neq -2 \\).", 0, 0);
	claims("\\[ f\\left(\\frac{1}{3}\\right) = \\frac{1 + \\frac{1}{3}}{1} = \\frac{4}{3} \\]", 0, 1);
	claims("\\[ V = \\frac{4}{3} \\pi (1.5)^3 = \\frac{4}{3} \\pi \\cdot 3.375 \\]", 0, 0);
	claims("\\(\\frac{2}{9} = 0.\\overline{2}\\)", 0, 0);
	claims("$3/16 = 0.0011_2$", 0, 0);
	claims("\\[ 16 = 13 - 12 \\cos C \\]", 0, 0);
	claims("\\[ \\sqrt[4]{16(2)^4} = 4 \\]", 0, 0);
	claims("\\(\\log_x (10^{-2}) = -2 \\log_x 10\\)", 0, 0);
	claims("\\text{Chenny's Age} - 4 = 10 - 4 = 6", 0, 1);
	/* integer division with a remainder */
	claims("\\[ 18 \\div 4 = 4 \\text{ remainder } 2 \\]", 0, 1);
	claims("\\[ 18 \\div 4 = 4 \\text{ remainder } 3 \\]", 1, 1);
	claims("$49 \\div 9 = 5$ complete cycles", 0, 1);
	claims("First, \\(410 \\div 333 = 1\\) with a remainder of \\(77\\).", 0, 1);
	claims("$$355\\div 6=58\\;\\mathrm{R}\\;5.$$", 1, 1);
	claims("\\[ 2863 \\div 1344 = 2 \\quad \\text{(quotient)} \\]", 0, 1);
	claims("18 \\div 4 = 4", 1, 1);                        /* no remainder said */
	/* rounded values: true within the precision the text shows */
	claims("\\[ x^2 = (2.8284)^2 = 8 \\]", 0, 1);
	claims("\\[ (2.8284)^2 = 9 \\]", 1, 1);
	claims("1.5 \\times 4 = 6.5", 1, 1);
	/* claims the text calls false */
	claims("\\(x + 6 = 10 \\implies 2 + 8 = 4\\), which is false.", 0, 0);
	claims("so 3 + 4 = 8, which is false", 0, 0);
	claims("\\(3 + 4 = 8\\) \\text{(false)}", 0, 0);
	claims("\\( 3 + 4 \\neq 8 \\)", 0, 0);
	/* chains mixing \implies and =; \] \[ between lines of one chain */
	claims("\\(2 + 3 = 5 \\implies 5 \\times 2 = 10 \\implies 10 - 1 = 9\\)", 0, 3);
	claims("\\[ 21^2 = 441 \\] \\[ (-20)^2 = 400 \\] \\[ 441 + 400 = 841 \\]", 0, 3);
	claims("\\[ \\frac{28 \\times 26}{4} = 182 \\]\n\\[ = 7 \\times 26 = 182 \\]", 0, 3);
	claims("\\[ \\frac{1}{13} = \\frac{4}{52} \\] \\[ \\frac{1}{4} = \\frac{13}{52} \\]", 0, 2);
	/* the message names the side that is computed */
	struct buf rep = {0};
	int nchecked;
	calc_check("4004 = 2003 * 2 + 1", &rep, &nchecked);
	CHECK(rep.data && strstr(rep.data, "false: the right side is 4007"), "names the right side: %s", rep.data);
	buf_reset(&rep);
	calc_check("3 * 4 = 13", &rep, &nchecked);
	CHECK(rep.data && strstr(rep.data, "false: the left side is 12"), "names the left side: %s", rep.data);
	buf_free(&rep);

	/* responses */
	char why[400];
	CHECK(check(200, "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}]}", 1, OAI_CHAT, why) == OAI_OK, "a good chat reply: %s", why);
	CHECK(check(200, "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"x\"}}]}", 2, OAI_CHAT, why) == OAI_RETRY && strstr(why, "asked for 2"), "too few choices: asked again: %s", why);
	CHECK(check(200, "{\"choices\":[{\"index\":0,\"message\":{\"content\":null,\"reasoning_content\":\"hm\"},\"finish_reason\":\"length\"}]}", 1, OAI_CHAT, why) == OAI_OK, "null content with reasoning is an answer-less choice: %s", why);
	CHECK(check(200, "{\"choices\":[{\"index\":0,\"message\":{\"content\":null}}]}", 1, OAI_CHAT, why) == OAI_RETRY, "neither content nor reasoning: %s", why);
	CHECK(check(200, "{\"object\":\"error\",\"message\":\"engine dead\"}", 1, OAI_CHAT, why) == OAI_RETRY && strstr(why, "engine dead"), "flat error in 200: %s", why);
	CHECK(check(200, "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"a\"}},{\"index\":0,\"message\":{\"content\":\"b\"}}]}", 2, OAI_CHAT, why) == OAI_RETRY && strstr(why, "repeats"), "a repeated index is malformed, never a hole: %s", why);
	CHECK(check(200, "{\"error\":{\"message\":\"bad\",\"code\":400}}", 1, OAI_CHAT, why) == OAI_FAIL, "a 400 error object in 200: %s", why);
	CHECK(check(200, "{\"choices\":[{\"index\":0,\"te", 1, OAI_COMPLETIONS, why) == OAI_RETRY && strstr(why, "malformed"), "truncated: %s", why);
	CHECK(check(0, NULL, 1, OAI_CHAT, why) == OAI_RETRY && strstr(why, "reset"), "transport: %s", why);
	CHECK(check(503, "<html>busy</html>", 1, OAI_CHAT, why) == OAI_RETRY && strstr(why, "HTML"), "503 html: %s", why);
	CHECK(check(429, "{\"error\":{\"message\":\"slow down\",\"code\":\"rate_limit_exceeded\"}}", 1, OAI_CHAT, why) == OAI_RETRY, "429: %s", why);
	CHECK(check(429, "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}", 1, OAI_CHAT, why) == OAI_FAIL && strstr(why, "quota"), "quota: %s", why);
	static const long no_retry[] = {400, 401, 403, 404, 422};
	for (size_t i = 0; i < ARRAY_SIZE(no_retry); i++)
		CHECK(check(no_retry[i], "{\"error\":{\"message\":\"no\"}}", 1, OAI_CHAT, why) == OAI_FAIL, "HTTP %ld: %s", no_retry[i], why);
	static const long retry[] = {408, 409, 500, 502, 504};
	for (size_t i = 0; i < ARRAY_SIZE(retry); i++)
		CHECK(check(retry[i], "", 1, OAI_CHAT, why) == OAI_RETRY, "HTTP %ld: %s", retry[i], why);
	CHECK(check(200, "{\"data\":[{\"data\":[[0.1,0.9],[0.8,0.2]]}]}", 0, OAI_POOLING, why) == OAI_OK, "pooling: %s", why);

	/* the refusals real servers send, and what fixes them */
	{
		struct arena a = {0};
		struct oai_resp r;
		const char *llama = "{\"error\":{\"code\":500,\"message\":\"Only one completion choice is allowed\",\"type\":\"server_error\"}}";
		oai_check(&a, OAI_CHAT, 500, NULL, llama, strlen(llama), 4, &r);
		CHECK(r.no_n && r.verdict == OAI_RETRY, "llama.cpp refuses n: %s", r.why);
		oai_check(&a, OAI_CHAT, 500, NULL, llama, strlen(llama), 1, &r);
		CHECK(!r.no_n, "n = 1 is not refused for n");
		const char *busy = "{\"error\":{\"message\":\"busy\"}}";
		oai_check(&a, OAI_CHAT, 500, NULL, busy, strlen(busy), 4, &r);
		CHECK(!r.no_n, "an ordinary 500 is not a refusal of n");
		arena_free(&a);
	}
	CHECK(oai_hint("HTTP 400: Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", OAI_CHAT) &&
	      !strcmp(oai_hint("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", OAI_CHAT), "max-tokens-field max_completion_tokens"), "hint: max_completion_tokens");
	CHECK(oai_hint("Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.", OAI_CHAT) &&
	      !strcmp(oai_hint("Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.", OAI_CHAT), "sampling no"), "hint: sampling");
	CHECK(oai_hint("task Extra inputs are not permitted", OAI_POOLING) && !oai_hint("task Extra inputs are not permitted", OAI_CHAT), "hint: pooling task, for pooling only");
	CHECK(!oai_hint("HTTP 400: bad request", OAI_CHAT), "no hint for an unknown refusal");
	/* x-ratelimit-reset values */
	CHECK(oai_duration("1s") == 1 && oai_duration("6m0s") == 360 && oai_duration("20ms") == 0.02, "durations");
	CHECK(oai_duration("1h2m3.5s") == 3723.5 && oai_duration("0.5") == 0.5, "durations: h m s, plain");
	CHECK(oai_duration("") < 0 && oai_duration("soon") < 0 && oai_duration("1m30") < 0, "bad durations");
	/* logprobs: OpenAI's object, llama.cpp's list */
	{
		struct arena a = {0};
		const char *oa = "{\"+\":-0.1,\" -\":-2.5,\"x\":-9}";
		const char *ll = "[{\"token\":\"-\",\"logprob\":-0.3},{\"token\":\" +\",\"logprob\":-1.4},{\"id\":3}]";
		double v = 0;
		const struct jnode *t = jparse(&a, oa, strlen(oa));
		CHECK(prm_top_lp(t, '+', &v) && v == -0.1 && prm_top_lp(t, '-', &v) && v == -2.5, "openai logprobs");
		t = jparse(&a, ll, strlen(ll));
		CHECK(prm_top_lp(t, '+', &v) && v == -1.4 && prm_top_lp(t, '-', &v) && v == -0.3, "llama.cpp logprobs");
		arena_free(&a);
	}

	/* Retry-After */
	CHECK(oai_retry_after("250", "7") == 0.25, "retry-after-ms first");
	CHECK(oai_retry_after(NULL, "7") == 7, "seconds");
	CHECK(oai_retry_after(NULL, "9999") == 120, "capped at 120");
	CHECK(oai_retry_after(NULL, "Wed, 21 Oct 2015 07:28:00 GMT") == 0, "a past date");
	CHECK(oai_retry_after(NULL, "soon") == -1, "nonsense");
	uint64_t rng = 42;
	for (int k = 1; k <= 8; k++) {
		double d = oai_backoff(k, 500, 30000, &rng);
		double base = 500.0 * (1 << (k - 1));
		if (base > 30000)
			base = 30000;
		CHECK(d >= base * 0.5 && d < base * 1.5, "backoff %d: %g", k, d);
	}
	/* secrets are masked, control characters dropped */
	char out[200];
	oai_clean(out, sizeof(out), "Incorrect API key provided: sk-abcdef1234\x1b[2J", 190, "sk-abcdef1234");
	CHECK(!strstr(out, "sk-abcdef") && !strchr(out, 0x1b), "cleaned: %s", out);

	/* endpoint lines */
	struct fconf c;
	fconf_init(&c);
	char err[300];
	const char *l1[] = {"endpoint", "a", "url", "http://h:1/v1/"};
	const char *l2[] = {"endpoint", "a", "model", "m"};
	const char *l3[] = {"endpoint", "a", "concurrency", "0"};
	const char *l4[] = {"endpoint", "a", "kind", "fax"};
	const char *l5[] = {"provider", "mc", "strategy", "bisect"};
	const char *l6[] = {"endpoint", "a", "url", "ftp://h"};
	CHECK(fconf_line(&c, 4, l1, err, sizeof(err)) == 0 && !strcmp(c.eps[0].url, "http://h:1/v1"), "url: %s", err);
	CHECK(fconf_line(&c, 4, l2, err, sizeof(err)) == 0, "model");
	CHECK(fconf_line(&c, 4, l3, err, sizeof(err)) < 0 && strstr(err, "concurrency"), "concurrency 0: %s", err);
	CHECK(fconf_line(&c, 4, l4, err, sizeof(err)) < 0 && strstr(err, "kind"), "kind: %s", err);
	int mc = provider_find("mc"), judge = provider_find("judge");
	CHECK(mc >= 0 && judge >= 0, "the table has mc and judge");
	CHECK(fconf_line(&c, 4, l5, err, sizeof(err)) == 0 && provider_set(&c, mc, 0) == 1, "strategy");
	const char *bad1[] = {"provider", "mc", "rollouts", "0"};
	const char *bad2[] = {"provider", "mc", "strategy", "greedy"};
	const char *bad3[] = {"provider", "calc", "template", "x"};
	const char *bad4[] = {"provider", "nope", "x", "y"};
	const char *bad5[] = {"provider", "mc", "chat", "perhaps"};
	CHECK(fconf_line(&c, 4, bad1, err, sizeof(err)) < 0 && !strcmp(err, "provider mc: rollouts is 1 to 1024"), "int range: %s", err);
	CHECK(fconf_line(&c, 4, bad2, err, sizeof(err)) < 0 && !strcmp(err, "provider mc: strategy is vanilla or bisect"), "choice: %s", err);
	CHECK(fconf_line(&c, 4, bad3, err, sizeof(err)) < 0 && !strcmp(err, "provider calc: unknown option \"template\""), "no template for calc: %s", err);
	CHECK(fconf_line(&c, 4, bad4, err, sizeof(err)) < 0 && strstr(err, "unknown provider \"nope\" (judge, mc, prm, calc"), "unknown provider: %s", err);
	CHECK(fconf_line(&c, 4, bad5, err, sizeof(err)) < 0 && !strcmp(err, "provider mc: chat is yes or no"), "bool: %s", err);
	CHECK(fconf_line(&c, 4, l6, err, sizeof(err)) < 0, "ftp");
	char *pj = fconf_params(&c, judge, err, sizeof(err));
	/* a job's params are its identity in the store: the table must
	 * write them as the stores of earlier versions hold them */
	CHECK(pj && !strcmp(pj, "{\"provider\":\"judge\",\"model\":\"m\",\"max_tokens\":2048,"
			    "\"temperature\":0.7,\"top_p\":1,\"seed\":0,\"template\":\"f2a8b240752e\","
			    "\"samples\":1}"), "judge params: %s", pj ? pj : err);
	free(pj);
	char *pc = fconf_params(&c, provider_find("calc"), err, sizeof(err));
	CHECK(pc && !strcmp(pc, "{\"provider\":\"calc\"}"), "calc params: %s", pc ? pc : err);
	free(pc);
	CHECK(fconf_resolve(&c, 1u << mc, err, sizeof(err)) < 0 && strstr(err, "no endpoint serves mc"), "mc without completions: %s", err);
	fconf_free(&c);

	/* the provider table: names unique, settings within bounds, and a
	 * provider with requests says what it asks */
	CHECK(nproviders > 0 && nproviders <= P_MAX, "providers: %d", nproviders);
	for (int p = 0; p < nproviders; p++) {
		const struct provider_ops *o = providers[p];
		int nopt = 0;
		while (o->opts && o->opts[nopt].name)
			nopt++;
		CHECK(o->name && o->summary && strlen(o->summary) <= 50 && o->start &&
		      (!o->kind || (o->take && o->next)) && o->area,
		      "provider %d is complete", p);
		CHECK(provider_find(o->name) == p, "%s: its name is its own", o->name);
		CHECK(nopt <= POPT_MAX, "%s: %d settings", o->name, nopt);
		CHECK(!o->kind || o->builtin, "%s: online with a prompt", o->name);
	}

	/* stepmarkrc(5) lists every provider and every setting as the
	 * table has them */
	const char *srcdir = getenv("srcdir");
	char manpath[4096];
	snprintf(manpath, sizeof(manpath), "%s/man/stepmarkrc.5", srcdir ? srcdir : ".");
	FILE *mf = fopen(manpath, "r");
	CHECK(mf != NULL, "open %s", manpath);
	if (mf) {
		struct buf man = {0};
		char chunk[4096];
		size_t got;
		while ((got = fread(chunk, 1, sizeof(chunk), mf)) > 0)
			buf_add(&man, chunk, got);
		fclose(mf);
		char *sec = strstr(man.data, ".SH PROVIDERS\n");
		char *end = sec ? strstr(sec + 1, "\n.SH ") : NULL;
		CHECK(sec && end, "stepmarkrc(5) has a PROVIDERS section");
		if (end)
			*end = '\0';
		for (int p = 0; sec && p < nproviders; p++) {
			const struct provider_ops *o = providers[p];
			char want[300];
			/* its name as roff writes it: a hyphen is \- */
			size_t w = (size_t)snprintf(want, sizeof(want), "\n.B ");
			for (const char *ch = o->name; *ch && w + 3 < sizeof(want); ch++) {
				if (*ch == '-')
					want[w++] = '\\';
				want[w++] = *ch;
			}
			snprintf(want + w, sizeof(want) - w, "\n");
			CHECK(strstr(sec, want) != NULL, "stepmarkrc(5) describes %s", o->name);
			if (o->builtin) {
				snprintf(want, sizeof(want), "provider %s template\"", o->name);
				CHECK(strstr(sec, want) != NULL, "stepmarkrc(5): %s", want);
			}
			for (const struct popt *q = o->opts; q && q->name; q++) {
				int n = snprintf(want, sizeof(want), "\"provider %s %s\" \"", o->name, q->name);
				if (q->type == PO_INT)
					snprintf(want + n, sizeof(want) - (size_t)n, " N (%ld to %ld, default %ld)",
						 q->min, q->max, q->def);
				else if (q->type == PO_BOOL)
					snprintf(want + n, sizeof(want) - (size_t)n, " yes|no (default %s)",
						 q->def ? "yes" : "no");
				else {
					for (int k = 0; q->choices[k]; k++)
						n += snprintf(want + n, sizeof(want) - (size_t)n, "%s%s",
							      k ? "|" : " ", q->choices[k]);
					snprintf(want + n, sizeof(want) - (size_t)n, " (default %s)",
						 q->choices[q->def]);
				}
				CHECK(strstr(sec, want) != NULL, "stepmarkrc(5) has: %s", want);
			}
		}
		buf_free(&man);
	}

	align_judge_replies();

	/* templates */
	struct step steps[2] = {{.text = "a", .chosen = -1}, {.text = "b", .chosen = -1}};
	struct item it = {.problem = "P", .steps = steps, .nsteps = 2};
	struct buf b = {0};
	CHECK(prompt_render("{problem}|{steps}|{{x}}", &it, -1, 0, &b, err, sizeof(err)) == 0, "render");
	CHECK_STR(b.data, "P|<paragraph_0>\na\n</paragraph_0>\n\n<paragraph_1>\nb\n</paragraph_1>|{x}");
	CHECK(prompt_render("{prefix}", &it, 0, 0, &b, err, sizeof(err)) == 0, "prefix");
	CHECK_STR(b.data, "a");
	CHECK(prompt_render("{marked}", &it, -1, MARK_QWEN, &b, err, sizeof(err)) == 0, "qwen");
	CHECK_STR(b.data, "a<extra_0>b<extra_0>");
	CHECK(prompt_render("{marked}", &it, 1, MARK_SHEPHERD, &b, err, sizeof(err)) == 0, "shepherd");
	CHECK_STR(b.data, "Step 1: a \xd0\xba\xd0\xb8\nStep 2: b \xd0\xba\xd0\xb8");
	CHECK(prompt_render("{marked}", &it, 0, MARK_SHEPHERD, &b, err, sizeof(err)) == 0, "shepherd 0");
	CHECK_STR(b.data, "Step 1: a \xd0\xba\xd0\xb8");
	/* Math-Shepherd's own steps carry their number */
	struct step ms[2] = {{.text = "Step 1: x = 2.", .chosen = -1}, {.text = "Step 2: y = 3.", .chosen = -1}};
	struct item mit = {.problem = "P", .steps = ms, .nsteps = 2};
	CHECK(prompt_render("{problem} {marked}", &mit, 1, MARK_SHEPHERD, &b, err, sizeof(err)) == 0, "shepherd numbered");
	CHECK_STR(b.data, "P Step 1: x = 2. \xd0\xba\xd0\xb8\nStep 2: y = 3. \xd0\xba\xd0\xb8");
	CHECK(prompt_render("{oops}", &it, -1, 0, &b, err, sizeof(err)) < 0 && strstr(err, "oops"), "unknown: %s", err);
	buf_free(&b);
	job_requests();
	return tap_done();
}
