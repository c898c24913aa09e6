/* fmt_openrlhf.c - OpenRLHF's process reward data set: one text with the
 * placeholder token after every step, and a label list with one reward
 * token per placeholder (Math-Shepherd's defaults: ки, + and -) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define PLACEHOLDER "\xd0\xba\xd0\xb8" /* ки */

static int orl_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *labels;
	size_t n;
	int rc = wr_prm_labels(w, it, PLACEHOLDER, &labels, &n);
	if (rc)
		return rc;
	struct buf text = {0};
	buf_puts(&text, it->problem);
	for (size_t i = 0; i < n; i++)
		buf_printf(&text, "%s%s " PLACEHOLDER, i ? "\n" : " ", it->steps[i].text);
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "input");
	buf_json_str(b, text.data, text.len);
	buf_putc(b, ',');
	wr_key(b, "label");
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++)
		buf_puts(b, labels[i] ? (i ? ",\"+\"" : "\"+\"") : (i ? ",\"-\"" : "\"-\""));
	buf_puts(b, "]}\n");
	buf_free(&text);
	free(labels);
	w->rows++;
	return 0;
}

const struct format_ops fmt_openrlhf = {
	.name = "openrlhf",
	.summary = "OpenRLHF process reward data: input (the steps, each followed by \xd0\xba\xd0\xb8), label (+ or - per step, to the first error)",
	.write = orl_write,
};
