/* unit_batch.c - batch lines: each request checked against its url's
 * shape for its engine before it is written, Ray rows, custom_ids */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../src/batch.h"
#include "../src/util.h"

static const char *const H = "0123456789abcdef0123456789abcdef";

/* batch_shape's result (0 / -1) with the shapes known (or NULL), its
 * lines into out, the model into model (mn bytes) */
static int shape_k(struct batch_shapes *known, int target, const char *url, const char *body,
		   struct buf *out, char *model, size_t mn)
{
	struct batch_spec spec = {target, 0, "00112233445566ff", 3, 0};
	char err[300];
	struct arena a = {0};
	buf_reset(out);
	int rc = batch_shape(out, &a, known, &spec, 42, url, body, H, model, mn, err, sizeof(err));
	arena_free(&a);
	return rc;
}

static int shape_m(int target, const char *url, const char *body, struct buf *out, char *model,
		   size_t mn)
{
	return shape_k(NULL, target, url, body, out, model, mn);
}

static int shape(int target, const char *url, const char *body, struct buf *out)
{
	char model[64];
	return shape_m(target, url, body, out, model, sizeof(model));
}

/* a completions body whose prompt is 80 x's around mid, its model m */
static const char *long_prompt(struct buf *b, const char *m, const char *mid)
{
	buf_reset(b);
	buf_printf(b, "{\"model\":\"%s\",\"prompt\":\"%.40s%s%.40s\",\"max_tokens\":9}", m,
		   H, mid, H);
	return b->data;
}

static int lines(const struct buf *b)
{
	int n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

int main(void)
{
	struct buf b = {0};
	const char *chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],"
			   "\"max_tokens\":9,\"temperature\":0.7,\"seed\":5,\"n\":3}";
	const char *cont = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
			   "{\"role\":\"assistant\",\"content\":\"a\"}],\"continue_final_message\":true,"
			   "\"add_generation_prompt\":false,\"max_tokens\":9,\"seed\":5,\"n\":2}";
	const char *comp = "{\"model\":\"m\",\"prompt\":\"p\",\"max_tokens\":9,\"seed\":1,\"n\":2}";

	CHECK(shape(BT_OPENAI, "/v1/chat/completions", chat, &b) == 0, "a chat request");
	CHECK(lines(&b) == 1 && strstr(b.data, "\"custom_id\":\"sm-00112233445566ff-r3-j42-"
				       "0123456789abcdef0123456789abcdef\""), "%s", b.data);
	CHECK(shape(BT_OPENAI, "/v1/completions", comp, &b) == 0, "completions for openai");
	CHECK(shape(BT_VLLM, "/v1/completions", comp, &b) < 0 && !b.len,
	      "vllm's run_batch rejects /v1/completions: nothing written");
	CHECK(shape(BT_OPENAI, "/v1/chat/completions", cont, &b) < 0,
	      "openai does not continue an assistant message");
	CHECK(shape(BT_VLLM, "/v1/chat/completions", cont, &b) == 0, "vllm continues it");
	/* malformed bodies */
	CHECK(shape(BT_VLLM, "/v1/chat/completions", "{\"messages\":[]}", &b) < 0, "no model");
	CHECK(shape(BT_VLLM, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}", &b) < 0,
	      "no message");
	CHECK(shape(BT_VLLM, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":"
		    "\"wizard\",\"content\":\"x\"}]}", &b) < 0, "an unknown role");
	CHECK(shape(BT_VLLM, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":"
		    "\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
		    &b) < 0, "an assistant message last without continue_final_message");
	CHECK(shape(BT_OPENAI, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"p\"}", &b) < 0,
	      "completions without max_tokens");
	CHECK(shape(BT_OPENAI, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":"
		    "\"user\",\"content\":\"q\"}],\"temperature\":7}", &b) < 0, "temperature 7");
	CHECK(shape(BT_OPENAI, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":"
		    "\"user\",\"content\":\"q\"}],\"n\":0}", &b) < 0, "n 0");
	CHECK(shape(BT_OPENAI, "/pooling", "{\"model\":\"m\",\"input\":\"x\"}", &b) < 0, "/pooling");
	CHECK(shape(BT_OPENAI, "/v1/chat/completions", "not json", &b) < 0, "not JSON");
	/* a long string is checked without its text, when its text is plainly
	 * valid; else whole */
	struct buf body = {0};
	char model[200];
	const char *m70 = "a-model-whose-name-is-seventy-characters-long-0123456789abcdefghijklmn";
	CHECK(shape_m(BT_OPENAI, "/v1/completions", long_prompt(&body, m70, "\\n\\\"q\\\"\\\\ \xc3\xa9"),
		      &b, model, sizeof(model)) == 0 && !strcmp(model, m70) &&
	      strstr(b.data, body.data), "a long prompt, a long model: %s", model);
	CHECK(shape(BT_OPENAI, "/v1/completions", long_prompt(&body, "m", "\\ud800"), &b) < 0,
	      "an unpaired surrogate in a long prompt");
	CHECK(shape(BT_OPENAI, "/v1/completions", long_prompt(&body, "m", "\x01"), &b) < 0,
	      "a control character in a long prompt");
	CHECK(shape(BT_OPENAI, "/v1/completions", long_prompt(&body, "m", "\xc0\xaf"), &b) < 0,
	      "an overlong UTF-8 form in a long prompt");
	CHECK(shape(BT_OPENAI, "/v1/completions", long_prompt(&body, "m", "\\x"), &b) < 0,
	      "an unknown escape in a long prompt");
	CHECK(shape(BT_OPENAI, "/v1/completions", long_prompt(&body, "m", "\\u0000"), &b) < 0,
	      "a NUL escape in a long prompt");
	/* each kind of byte at every place of the 16 the check takes at once,
	 * across their end too: the same verdict */
	static const struct {
		const char *mid;
		int ok;
	} at[] = {{"\\n\\n", 0}, {"\\\"", 0}, {"\\\\", 0}, {"\\/\\t", 0}, {"\xc3\xa9", 0},
		  {"\xf0\x9f\x98\x80", 0}, {"\\x", -1}, {"\x01", -1}, {"\xc0\xaf", -1},
		  {"\xe4\xb8 ", -1}, {"\xed\xa0\x80", -1}, {"\\u00e9", 0}, {"\\n\x01", -1},
		  {"\xc3\xa9\x01", -1}, {"\\\\\\x", -1}, {"\xf0\x9f\x98\x80\\q", -1}};
	int same = 1;
	for (size_t k = 0; k < ARRAY_SIZE(at); k++)
		for (int pad = 0; pad < 34; pad++) {
			buf_reset(&body);
			buf_printf(&body, "{\"model\":\"m\",\"prompt\":\"%.*s%s%.*s\",\"max_tokens\":9}",
				   pad, "0123456789abcdef0123456789abcdef0123456789", at[k].mid,
				   70, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
			int rc = shape(BT_OPENAI, "/v1/completions", body.data, &b);
			if (rc != at[k].ok)
				printf("# %s after %d bytes: %d\n", at[k].mid, pad, rc);
			same &= rc == at[k].ok;
		}
	CHECK(same, "every special byte at every place, the same verdict");
	buf_reset(&body);
	buf_printf(&body, "{\"model\":\"m\",\"messages\":[{\"role\":\"%s\",\"content\":\"q\"}]}",
		   m70);
	CHECK(shape(BT_OPENAI, "/v1/chat/completions", body.data, &b) < 0, "a long unknown role");
	buf_reset(&body);
	buf_printf(&body, "{\"model\":\"m\",\"prompt\":\"%s%s", H, H);
	CHECK(shape(BT_OPENAI, "/v1/completions", body.data, &b) < 0, "a long string without end");
	/* a shape that passed passes again unparsed, with its model; any
	 * other shape is checked */
	struct batch_shapes known = {0};
	char mk[200];
	const char *u = "/v1/completions";
	CHECK(shape_k(&known, BT_OPENAI, u, long_prompt(&body, m70, "a"), &b, mk, sizeof(mk)) == 0 &&
	      !strcmp(mk, m70), "a shape checked: %s", mk);
	CHECK(shape_k(&known, BT_OPENAI, u, long_prompt(&body, m70, "b"), &b, mk, sizeof(mk)) == 0 &&
	      !strcmp(mk, m70) && strstr(b.data, "b0123"), "the same shape again: %s", mk);
	CHECK(shape_k(&known, BT_OPENAI, u, long_prompt(&body, "m", "c"), &b, mk, sizeof(mk)) == 0 &&
	      !strcmp(mk, "m"), "another model, another shape: %s", mk);
	CHECK(shape_k(&known, BT_VLLM, u, long_prompt(&body, m70, "d"), &b, mk, sizeof(mk)) < 0,
	      "the same shape for another engine is checked for it");
	CHECK(shape_k(&known, BT_OPENAI, "/v1/chat/completions", long_prompt(&body, m70, "e"), &b,
		      mk, sizeof(mk)) < 0, "and for another url");
	CHECK(shape_k(&known, BT_OPENAI, u, long_prompt(&body, m70, "\\ud800"), &b, mk,
		      sizeof(mk)) < 0, "a string that needs a closer look is not a known shape");
	batch_shapes_free(&known);
	buf_free(&body);

	/* ray: a row per sample, each its own seed, no n */
	CHECK(shape(BT_RAY, "/v1/chat/completions", chat, &b) == 0 && lines(&b) == 3, "3 rows");
	CHECK(strstr(b.data, "-s0of3\"") && strstr(b.data, "\"seed\":5") &&
	      strstr(b.data, "-s2of3\"") && strstr(b.data, "\"seed\":7") && !strstr(b.data, "\"n\""),
	      "%s", b.data);
	CHECK(shape(BT_RAY, "/v1/chat/completions", cont, &b) == 0 &&
	      strstr(b.data, "\"chat_template_kwargs\":{\"add_generation_prompt\":false,"
		     "\"continue_final_message\":true}"), "%s", b.data);
	CHECK(shape(BT_RAY, "/v1/completions", comp, &b) == 0 && strstr(b.data, "\"prompt\":\"p\""),
	      "%s", b.data);

	/* custom_ids read back */
	struct batch_id id;
	const char *s = "sm-00112233445566ff-r3-j42-0123456789abcdef0123456789abcdef-s1of8";
	CHECK(batch_id_parse(s, strlen(s), &id) == 0 && id.round == 3 && id.job == 42 &&
	      id.sample == 1 && id.n == 8 && !strcmp(id.store, "00112233445566ff") &&
	      !strcmp(id.hash, H), "a Ray row's id");
	CHECK(batch_id_parse(s, strlen(s) - 6, &id) == 0 && id.sample == -1, "a request's id");
	CHECK(batch_id_parse(H, 32, &id) == 0 && !id.store[0] && id.round == 0, "the first form");
	const char *bad[] = {"sm-0011-r3-j42-0123456789abcdef0123456789abcdef",
			     "sm-00112233445566ff-r0-j42-0123456789abcdef0123456789abcdef",
			     "sm-00112233445566ff-r3-j42-0123456789abcdef0123456789abcdef-s8of8",
			     "sm-00112233445566ff-r3-j42-0123456789abcdef0123456789abcdeX", "0123"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(batch_id_parse(bad[i], strlen(bad[i]), &id) < 0, "%s", bad[i]);
	buf_free(&b);
	return tap_done();
}
