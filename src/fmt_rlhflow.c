/* fmt_rlhflow.c - RLHFlow's PRM data: a chat per solution, each step a
 * user turn (the first with the problem), each answered by the assistant
 * with + or - */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static void turn(struct buf *b, int first, const char *role, const char *a, const char *c)
{
	buf_puts(b, first ? "{" : ",{");
	wr_key(b, "role");
	buf_json_str(b, role, strlen(role));
	buf_putc(b, ',');
	wr_key(b, "content");
	if (a) {
		struct buf t = {0};
		buf_printf(&t, "%s %s", a, c);
		buf_json_str(b, t.data, t.len);
		buf_free(&t);
	} else {
		buf_json_str(b, c, strlen(c));
	}
	buf_putc(b, '}');
}

static int rf_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	int *labels;
	size_t n;
	int rc = wr_prm_labels(w, it, NULL, &labels, &n);
	if (rc)
		return rc;
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "conversations");
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		turn(b, i == 0, "user", i ? NULL : it->problem, it->steps[i].text);
		turn(b, 0, "assistant", NULL, labels[i] ? "+" : "-");
	}
	buf_puts(b, "]}\n");
	free(labels);
	w->rows++;
	return 0;
}

const struct format_ops fmt_rlhflow = {
	.name = "rlhflow",
	.summary = "RLHFlow PRM data: conversations, each step a user turn answered + or - by the assistant, to the first error",
	.write = rf_write,
};
