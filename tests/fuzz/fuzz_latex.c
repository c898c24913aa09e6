/* fuzz_latex.c - the LaTeX renderer: any bytes, in text and in math. The
 * output's byte sources lie inside the input, and no byte of the input
 * that is not ASCII syntax is lost: a control byte (ESC) in the input
 * reaches the output, to be drawn inert. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "latex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct latex *r, const uint8_t *data, size_t size)
{
	if (strlen(r->out.data) != r->out.len)
		abort();
	for (size_t i = 0; i < r->out.len; i++)
		if (r->src[i].a > r->src[i].b || r->src[i].b > size)
			abort();
	size_t esc_in = 0, esc_out = 0;
	for (size_t i = 0; i < size; i++)
		esc_in += data[i] == 0x1b;
	for (size_t i = 0; i < r->out.len; i++)
		esc_out += r->out.data[i] == 0x1b;
	if (esc_out < esc_in)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct latex r = {0};
	size = strnlen((const char *)data, size); /* texts are C strings */
	latex_render(&r, (const char *)data, size);
	check(&r, data, size);
	latex_render_math(&r, (const char *)data, size);
	check(&r, data, size);
	latex_free(&r);
	return 0;
}
