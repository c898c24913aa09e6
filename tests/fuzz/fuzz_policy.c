/* fuzz_policy.c - a consensus policy's text, then a solution's labels and
 * suggestions made from the bytes after it: the policy parses or says why;
 * a parsed policy writes back as text that parses to the same; a decision
 * names a step the solution has (or none), a rule of the policy, ratings
 * a mark per step with the first error bad and nothing before it bad. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const people[] = {"alice", "bob", "carol", "boss"};
static const char *const sources[] = {"mc", "judge/m", "prm/p", "mc/q"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nl = 0;
	while (nl < size && data[nl] != '\n')
		nl++;
	char *text = malloc(nl + 1);
	memcpy(text, data, nl);
	text[nl] = '\0';
	struct policy p;
	char err[300];
	if (policy_parse(text, &p, err, sizeof(err)) < 0) {
		if (!err[0])
			abort(); /* a refusal says why */
		free(text);
		return 0;
	}
	struct policy again;
	if (policy_parse(p.text, &again, err, sizeof(err)) < 0 || strcmp(again.text, p.text))
		abort();
	policy_free(&again);
	/* the rest: the number of steps, then 4 bytes a label or suggestion */
	const uint8_t *b = data + (nl < size ? nl + 1 : size);
	size_t left = data + size - b;
	struct item it = {0};
	it.nsteps = left ? (size_t)(b[0] % 12) : 3;
	if (left)
		b++, left--;
	struct label lab[64];
	struct suggestion sug[64];
	char marks[64][13];
	for (; left >= 4 && (it.nlabels < 64 && it.nsugs < 64); b += 4, left -= 4) {
		int step = (int)(b[2] % 14) - 1;
		int val = (int)(b[3] % (it.nsteps + 3)) - 2;
		if (b[0] & 1) {
			struct label *l = &lab[it.nlabels];
			memset(l, 0, sizeof(*l));
			l->annotator = people[b[1] % 4];
			switch ((b[0] >> 1) % 4) {
			case 0: l->kind = LK_RATING; l->step = step; l->value = val % 2; break;
			case 1: l->kind = LK_FIRST_ERROR; l->step = -1; l->value = val; break;
			case 2:
				l->kind = LK_RATINGS;
				l->step = -1;
				for (size_t k = 0; k < 12; k++)
					marks[it.nlabels][k] = "+0-."[(b[3] >> (k % 4)) & 3];
				marks[it.nlabels][12] = '\0';
				l->text = marks[it.nlabels];
				break;
			default:
				l->kind = LK_ADJUDICATION;
				l->step = -1;
				l->fe = val < -1 ? -128 : val;
				l->text = "why";
			}
			it.labels = lab;
			it.nlabels++;
		} else {
			struct suggestion *g = &sug[it.nsugs];
			memset(g, 0, sizeof(*g));
			g->source = sources[b[1] % 4];
			g->step = step;
			g->value = (b[3] & 1) ? b[3] / 255.0 : -1e300;
			g->first_error = step < 0 ? val : -2;
			g->k = (b[0] >> 1) % 5;
			g->n = (b[0] >> 4) % 9;
			if (g->k > g->n)
				g->k = g->n;
			it.sugs = sug;
			it.nsugs++;
		}
	}
	struct decision d = {0};
	consensus_decide(&p, &it, &d);
	if (d.rule >= (int)p.n || (d.rule >= 0) != (d.fe >= -1) || d.fe >= (int)it.nsteps)
		abort();
	if (d.rule < 0 && (d.why <= WHY_NONE || d.why >= WHY_N))
		abort();
	if (d.rule >= 0) {
		if (d.ratings.len != it.nsteps)
			abort();
		for (size_t i = 0; i < it.nsteps; i++) {
			char c = d.ratings.data[i];
			if ((int)i == d.fe && c != '-')
				abort();
			if ((int)i < d.fe && c == '-')
				abort();
		}
	}
	buf_free(&d.ratings);
	buf_free(&d.by);
	policy_free(&p);
	free(text);
	return 0;
}
