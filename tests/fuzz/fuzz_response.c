/* fuzz_response.c - a server's reply as each provider reads it: the first
 * byte picks the endpoint kind and the number of choices asked for, the
 * rest is the body; then the judge's verdict in each choice's text and
 * the PRM's +/- logprobs. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "oai.h"
#include "prov.h"
#include "grade.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int kind = data[0] % 3, n = 1 + (data[0] >> 2) % 4;
	long status = data[0] & 0x80 ? 200 : 500;
	struct arena a = {0};
	struct oai_resp r;
	oai_check(&a, kind, status, NULL, (const char *)data + 1, size - 1, n, &r);
	for (size_t i = 0; r.verdict == OAI_OK && i < r.nchoices; i++) {
		const struct oai_choice *c = &r.choices[i];
		judge_parse(c->text);
		double lp;
		prm_top_lp(c->top_logprobs, '+', &lp);
		const char *s;
		size_t len;
		if (c->text)
			grade_extract(c->text, &s, &len);
	}
	arena_free(&a);
	return 0;
}
