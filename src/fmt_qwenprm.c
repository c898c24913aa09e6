/* fmt_qwenprm.c - Qwen2.5-Math-PRM's training form: the steps joined by
 * <extra_0>, a trailing one, inside the chat template; hard 0/1 labels,
 * one per <extra_0> */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define MARK "<extra_0>"

static int qp_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *labels;
	size_t n;
	int rc = wr_prm_labels(w, it, MARK, &labels, &n);
	if (rc)
		return rc;
	struct buf text = {0};
	buf_printf(&text, "<|im_start|>system\nPlease reason step by step, and put your final "
		   "answer within \\boxed{}.<|im_end|>\n<|im_start|>user\n%s<|im_end|>\n"
		   "<|im_start|>assistant\n", it->problem);
	for (size_t i = 0; i < n; i++)
		buf_printf(&text, "%s" MARK, it->steps[i].text);
	buf_puts(&text, "<|im_end|><|endoftext|>");
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "text");
	buf_json_str(b, text.data, text.len);
	buf_putc(b, ',');
	wr_key(b, "labels");
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%d", i ? "," : "", labels[i]);
	buf_puts(b, "]}\n");
	buf_free(&text);
	free(labels);
	w->rows++;
	return 0;
}

const struct format_ops fmt_qwenprm = {
	.name = "qwen-prm",
	.summary = "Qwen2.5-Math-PRM's form: text (the chat template, steps each ended by <extra_0>), labels (1 or 0 per step, to the first error)",
	.write = qp_write,
};
