/* prompt.c - the prompts the providers send, from editable templates */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"

/* The ProcessBench critic's structure, in our own words. */
static const char judge_builtin[] =
	"Below is a math problem and a proposed solution, split into numbered "
	"paragraphs (the first is paragraph 0).\n"
	"\n"
	"[Problem]\n"
	"{problem}\n"
	"\n"
	"[Solution]\n"
	"{steps}\n"
	"\n"
	"Read the solution one paragraph at a time and check each: its "
	"arithmetic, its reasoning, and whether it reads the problem right. "
	"Find the earliest paragraph that is wrong. Once you have checked "
	"them, give that paragraph's index inside \\boxed{{}}, for example "
	"\\boxed{{2}}. If no paragraph is wrong, give \\boxed{{-1}}.\n";

/* A rollout continues the solution after the prefix. */
static const char mc_builtin[] =
	"Solve the following math problem step by step. Put the final answer "
	"in \\boxed{{}}.\n"
	"\n"
	"Problem: {problem}\n"
	"\n"
	"Solution:\n"
	"{prefix}\n"
	"\n";

/* Qwen2.5-Math-PRM's chat format, steps ended by <extra_0>. */
static const char prm_qwen_builtin[] =
	"<|im_start|>system\n"
	"Please reason step by step, and put your final answer within \\boxed{{}}."
	"<|im_end|>\n"
	"<|im_start|>user\n"
	"{problem}<|im_end|>\n"
	"<|im_start|>assistant\n"
	"{marked}<|im_end|><|endoftext|>";

/* Math-Shepherd's PRM: the next token after a step is + or -. */
static const char prm_shepherd_builtin[] = "{problem} {marked}";

const char *prompt_builtin(int p, int style)
{
	switch (p) {
	case P_JUDGE: return judge_builtin;
	case P_MC: return mc_builtin;
	case P_PRM: return style == PRM_SHEPHERD ? prm_shepherd_builtin : prm_qwen_builtin;
	default: return "";
	}
}

char *prompt_template(const struct fconf *c, int p, char *err, size_t errlen)
{
	const char *path = p == P_JUDGE ? c->judge_template :
			   p == P_MC ? c->mc_template :
			   p == P_PRM ? c->prm_template : NULL;
	if (!path)
		return xstrdup(prompt_builtin(p, c->prm_style));
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s template %s: %s", provider_names[p], path,
			 strerror(errno));
		return NULL;
	}
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad || !b.data) {
		snprintf(err, errlen, "%s template %s: %s", provider_names[p], path,
			 bad ? "cannot read" : "empty");
		buf_free(&b);
		return NULL;
	}
	/* a test render catches unknown placeholders before any job runs */
	struct item it = {.problem = "", .nsteps = 0};
	struct buf out = {0};
	char why[200];
	if (prompt_render(b.data, &it, -1, c->prm_style, &out, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s template %s: %s", provider_names[p], path, why);
		buf_free(&b);
		buf_free(&out);
		return NULL;
	}
	buf_free(&out);
	return b.data;
}

/* "Step 12:" leads the text (Math-Shepherd's own steps carry it) */
static int step_numbered(const char *t)
{
	if (strncmp(t, "Step ", 5) != 0)
		return 0;
	t += 5;
	if (*t < '0' || *t > '9')
		return 0;
	while (*t >= '0' && *t <= '9')
		t++;
	return *t == ':';
}

int prompt_render(const char *tmpl, const struct item *it, int upto, int style,
		  struct buf *out, char *err, size_t errlen)
{
	buf_reset(out);
	buf_puts(out, "");
	int n = (int)it->nsteps;
	for (const char *p = tmpl; *p;) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			buf_putc(out, p[0]);
			p += 2;
			continue;
		}
		if (*p != '{') {
			const char *e = p + 1;
			while (*e && *e != '{' && *e != '}')
				e++;
			buf_add(out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		const char *e = strchr(p, '}');
		size_t len = e ? (size_t)(e - p - 1) : 0;
#define IS(name) (e && len == strlen(name) && !strncmp(p + 1, name, len))
		if (IS("problem")) {
			buf_puts(out, it->problem ? it->problem : "");
		} else if (IS("reference")) {
			buf_puts(out, it->reference ? it->reference : "");
		} else if (IS("steps")) {
			for (int i = 0; i < n; i++)
				buf_printf(out, "%s<paragraph_%d>\n%s\n</paragraph_%d>",
					   i ? "\n\n" : "", i, it->steps[i].text, i);
		} else if (IS("prefix")) {
			for (int i = 0; i <= upto && i < n; i++)
				buf_printf(out, "%s%s", i ? "\n\n" : "", it->steps[i].text);
		} else if (IS("marked")) {
			if (style == PRM_QWEN) {
				for (int i = 0; i < n; i++)
					buf_printf(out, "%s<extra_0>", it->steps[i].text);
			} else {
				/* the model card's input: "Step 1: ... ки\nStep 2: ... ки",
				 * scored by the token after the last tag */
				for (int i = 0; i <= upto && i < n; i++) {
					const char *t = it->steps[i].text;
					buf_puts(out, i ? "\n" : "");
					if (!step_numbered(t))
						buf_printf(out, "Step %d: ", i + 1);
					buf_printf(out, "%s \xd0\xba\xd0\xb8", t);
				}
			}
		} else {
			snprintf(err, errlen, "unknown placeholder \"%.*s\" (problem, reference, "
				 "steps, prefix, marked; {{ for a brace)",
				 e ? (int)(len + 2 > 40 ? 40 : len + 2) : 1, p);
			return -1;
		}
#undef IS
		p = e + 1;
	}
	return 0;
}
