/* unit_latex.c - LaTeX rendered as Unicode text: what each construct
 * becomes, prices left alone, unknown commands kept, and the map from
 * output bytes back to the raw text that search highlights with. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "latex.h"
#include "tap.h"

static struct latex r;

static const char *text(const char *s)
{
	latex_render(&r, s, strlen(s));
	return r.out.data;
}

static const char *math(const char *s)
{
	latex_render_math(&r, s, strlen(s));
	return r.out.data;
}

static void constructs(void)
{
	/* fractions: vulgar glyphs, else a/b with parentheses where needed */
	CHECK_STR(text("$\\frac{1}{2}$ $\\dfrac12$ $\\tfrac{3}{4}$"), "½ ½ ¾");
	CHECK_STR(text("$\\frac{x+1}{2}$"), "(x+1)/2");
	CHECK_STR(text("$\\frac{a}{bc}$"), "a/(bc)");
	CHECK_STR(text("$-\\frac{1}{2^{10}}$"), "-1/2¹⁰");
	CHECK_STR(text("$2\\frac{3}{7}$"), "2 3/7");
	CHECK_STR(text("$\\frac{\\left(\\frac{b}{a} \\cdot a_1\\right)^2}{a_1}$"), "(b/a · a₁)²/a₁");
	CHECK_STR(text("$\\frac{\\pi}{2}$"), "π/2");
	/* roots */
	CHECK_STR(text("$\\sqrt{2}$ $\\sqrt{13}$ $\\sqrt{x+1}$ $\\sqrt[3]{8}$ $\\sqrt[n]{x}$"),
		  "√2 √13 √(x+1) ∛8 ⁿ√x");
	/* scripts, with the fallback when a glyph is missing */
	CHECK_STR(text("$x^2 + a_{13} + a_{2k-1}$"), "x² + a₁₃ + a₂ₖ₋₁");
	CHECK_STR(text("$x^{n+1}$ $e^{i\\pi}$ $x^q$ $90^\\circ$ $M^T$"), "xⁿ⁺¹ e^(iπ) x^q 90° Mᵀ");
	CHECK_STR(text("$f'(x)$"), "f′(x)");
	/* symbols and Greek */
	CHECK_STR(text("$a \\cdot b \\times c \\div d \\le e \\geq f \\neq g \\approx h$"),
		  "a · b × c ÷ d ≤ e ≥ f ≠ g ≈ h");
	CHECK_STR(text("$\\infty, \\pi, \\alpha, \\Omega, \\pm, \\dots$"), "∞, π, α, Ω, ±, …");
	CHECK_STR(text("$\\sin x + \\log_2 y$"), "sin x + log₂ y");
	/* vectors, bars, blackboard, text, boxed */
	CHECK_STR(text("$\\overrightarrow{A} \\cdot \\vec{v}$"), "A⃗ · v⃗");
	CHECK_STR(text("$\\overline{GH}$"), "G̅H̅");
	CHECK_STR(text("$x \\in \\mathbb{R}$"), "x ∈ ℝ");
	CHECK_STR(text("$5\\text{ cm}^2$"), "5 cm²");
	CHECK_STR(text("The answer is $\\boxed{42}$."), "The answer is ⟦42⟧.");
	CHECK_STR(text("$\\binom{5}{2}$ $7 \\pmod{9}$ $\\lfloor x \\rfloor$"), "C(5,2) 7 (mod 9) ⌊ x ⌋");
	CHECK_STR(text("$\\left( \\frac{1}{2} \\right.$"), "(½");
	CHECK_STR(text("$\\not= \\not\\in$"), "≠ ∉");
	/* delimiters dropped; display math on lines of its own */
	CHECK_STR(text("so \\(x=1\\) and \\[y = 2\\] then $$z$$ end"), "so x=1 and\ny = 2\nthen\nz\nend");
	/* environments laid out as lines */
	CHECK_STR(text("we need\n\\begin{align*}\nx+y &> 1 \\\\\n1+x &> y\n\\end{align*}"),
		  "we need\nx+y > 1\n1+x > y");
	CHECK_STR(text("$\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$"), "⎛1  2⎞\n⎝3  4⎠");
	/* PRM800K's answer line: math without delimiters */
	CHECK_STR(text("So.\n\n# Answer\n\n\\frac{9}{4}R^2"), "So.\n\n# Answer\n\n(9/4)R²");
	CHECK_STR(math("\\frac{\\sqrt{3}}{2}"), "√3/2");
}

/* issue 27: competition math as an annotator reads it */
static void competition(void)
{
	/* the padding of math delimiters is dropped */
	CHECK_STR(text("number \\( n \\), we"), "number n, we");
	CHECK_STR(text("the word $L E O$ has"), "the word LEO has");
	CHECK_STR(text("$\\log _{a} x$"), "logₐ x");
	CHECK_STR(text("$x = 2 y + 3$"), "x = 2y + 3");
	/* a sign with no operand before it is unary, as TeX sets it */
	CHECK_STR(text("$x = - 3$"), "x = -3");
	CHECK_STR(text("$- 2 + (- x)$"), "-2 + (-x)");
	CHECK_STR(text("$a - b$, $a, - b$"), "a - b, a, -b");
	CHECK(strstr(text("$\\begin{pmatrix} 1 \\\\ - 1 \\\\ 2 \\end{pmatrix}$"), "-1") != NULL,
	      "a cell's sign is unary: %s", r.out.data);
	CHECK_STR(math("10 apples"), "10 apples");
	/* grouping stays visible */
	CHECK_STR(text("$\\log_{a}\\frac{x}{y}$"), "logₐ(x/y)");
	CHECK_STR(text("$\\frac{a}{3}d$"), "(a/3)d");
	CHECK_STR(text("$\\dfrac1{16}\\sin4\\theta$"), "(1/16) sin 4θ");
	CHECK_STR(text("$i\\sin\\theta$"), "i sin θ");
	CHECK_STR(text("$\\sin^2 x + \\cos(x)$"), "sin² x + cos(x)");
	CHECK_STR(text("$\\frac{1}{2}x$"), "½x");
	/* fields that are not math are text, never eaten */
	CHECK_STR(math("}"), "}");
	CHECK_STR(math("] }"), "] }");
}

/* two-dimensional math: blocks beside what follows them, on a baseline */
static void blocks(void)
{
	/* the exponent and = beside the matrix, the second matrix beside it */
	CHECK_STR(text("\\[\\begin{pmatrix}a&b\\\\c&d\\end{pmatrix}^2 = "
		       "\\begin{pmatrix}a^2+bc&ab+bd\\\\ac+cd&bc+d^2\\end{pmatrix}\\]"),
		  "⎛a  b⎞² = ⎛a²+bc  ab+bd⎞\n"
		  "⎝c  d⎠    ⎝ac+cd  bc+d²⎠");
	/* a product of two 2×2 matrices is two blocks, not a 4×2 one */
	CHECK_STR(text("so $\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}"
		       "\\begin{bmatrix}5&6\\\\7&8\\end{bmatrix} = C$ hence"),
		  "so\n⎡1  2⎤⎡5  6⎤ = C\n⎣3  4⎦⎣7  8⎦\nhence");
	/* \left| \right| span the rows of the determinant they hold */
	CHECK_STR(text("\\[\\left| \\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix} \\right| = 2\\]"),
		  "││1  2││ = 2\n││3  4││");
	/* columns aligned: each as wide as its widest cell */
	CHECK_STR(text("$\\begin{pmatrix}10&2\\\\3&400\\\\x&y\\end{pmatrix}$"),
		  "⎛10   2 ⎞\n⎜3   400⎟\n⎝x    y ⎠");
	/* an array keeps its empty cells, \hline and |c|c| rules */
	CHECK_STR(text("\\[\\begin{array}{|c|c|}\\hline 1 & \\\\ \\hline & 2 \\\\ \\hline\\end{array}\\]"),
		  "┌───┬───┐\n│ 1 │   │\n├───┼───┤\n│   │ 2 │\n└───┴───┘");
	CHECK_STR(text("$\\begin{array}{lr} a & bb \\\\ ccc & d \\end{array}$"), "a    bb\nccc   d");
	/* cases keeps its brace */
	CHECK_STR(text("$f(x) = \\begin{cases} x & \\text{if } x \\ge 0 \\\\ -x & \\text{otherwise} "
		       "\\end{cases}$"),
		  "f(x) = ⎧ x   if x ≥ 0\n       ⎩ -x  otherwise");
	CHECK_STR(text("$\\begin{cases} 1 \\\\ 2 \\\\ 3 \\end{cases}$"), "⎧ 1\n⎨ 2\n⎩ 3");
	/* inside an argument a grid is one line */
	CHECK_STR(text("$\\frac{\\begin{pmatrix}1\\\\2\\end{pmatrix}}{2}$"), "(1; 2)/2");
	/* too wide for the width given: one line, said the same way */
	r.width = 20;
	CHECK_STR(text("\\[\\begin{pmatrix}a&b\\\\c&d\\end{pmatrix}^2 = "
		       "\\begin{pmatrix}a^2+bc&ab+bd\\\\ac+cd&bc+d^2\\end{pmatrix}\\]"),
		  "(a, b; c, d)² = (a²+bc, ab+bd; ac+cd, bc+d²)");
	CHECK_STR(text("$\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}$"), "⎛1  2⎞\n⎝3  4⎠");
	r.width = 0;
	/* a final answer that is a matrix */
	CHECK_STR(math("\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}"), "⎛1 ⎞\n⎝-2⎠");
}

static void prose(void)
{
	/* prices stay prices; \$ is a dollar */
	CHECK_STR(text("She pays $5 for a pen and $10 for a book."),
		  "She pays $5 for a pen and $10 for a book.");
	CHECK_STR(text("They cost $\\$1.24$ in all."), "They cost $1.24 in all.");
	CHECK_STR(text("It is $5. The other is $6."), "It is $5. The other is $6.");
	/* ~ and ^ in prose are prose */
	CHECK_STR(text("about ~5 and x^2 in text"), "about ~5 and x^2 in text");
	/* an unclosed $ is a dollar */
	CHECK_STR(text("unclosed $x^2 and { braces }"), "unclosed $x^2 and { braces }");
	/* unknown commands stay as they are, braces too, and are counted */
	CHECK_STR(text("\\foo{bar} and $\\weird{x}_2$"), "\\foo{bar} and \\weird{x}₂");
	CHECK(r.left == 2, "left %d", r.left);
	CHECK_STR(text("C:\\Users\\n"), "C:\\Users\\n");
	CHECK(text("$\\frac{1}{2}$") && r.left == 0, "left %d", r.left);
	/* controls are copied, to be drawn inert; a dropped argument that
	 * holds one is shown whole */
	CHECK_STR(text("$x\x1b[2J$"), "x\x1b[2J");
	CHECK_STR(text("a\\label{\x1b]0;t\x07}b"), "a\\label{\x1b]0;t\x07}b");
	CHECK_STR(text("a\\label{eq1}b"), "ab");
	/* invalid UTF-8 copied byte for byte */
	CHECK_STR(text("$\xff\xfe x$"), "\xff\xfe x");
	/* deep nesting does not recurse without end */
	char deep[4096];
	size_t k = 0;
	deep[k++] = '$';
	for (int i = 0; i < 1000; i++)
		deep[k++] = '{';
	deep[k++] = 'x';
	deep[k++] = '$';
	deep[k] = '\0';
	CHECK(strstr(text(deep), "x") != NULL, "deep: %s", r.out.data);
	CHECK_STR(text(""), "");
	/* a line break inside an argument trims no space before it (the
	 * fuzzer: the argument's text began after those spaces) */
	CHECK_STR(text("$a \\frac \\\\ 2$"), "a \n/2");
	CHECK_STR(text("$x \\sqrt \\\\$"), "x √");
}

/* the rendered bytes standing for raw bytes [a, b) */
static char *marked(const char *raw, const char *pat)
{
	latex_render(&r, raw, strlen(raw));
	unsigned char *m = calloc(r.out.len + 1, 1);
	const char *at = strstr(raw, pat);
	latex_mark(&r, (size_t)(at - raw), (size_t)(at - raw) + strlen(pat), m);
	char *out = calloc(r.out.len + 1, 1);
	size_t o = 0;
	for (size_t i = 0; i < r.out.len; i++)
		if (m[i])
			out[o++] = r.out.data[i];
	free(m);
	return out;
}

static void mapping(void)
{
	char *s;
	CHECK_STR(s = marked("so $a_{13} = 2016$ here", "2016"), "2016");
	free(s);
	CHECK_STR(s = marked("so $a_{13} = 2016$ here", "13"), "₁₃");
	free(s);
	CHECK_STR(s = marked("$x \\cdot y$", "cdot"), "·");
	free(s);
	CHECK_STR(s = marked("$\\frac{1}{2}$ of it", "frac"), "½");
	free(s);
	CHECK_STR(s = marked("$\\frac{x+1}{y}$", "x+1"), "x+1");
	free(s);
	CHECK_STR(s = marked("plain text", "text"), "text");
	free(s);
	/* every byte's source lies in the input */
	const char *t = "$\\sqrt[3]{\\frac{a}{b}} + \\overline{AB}$ \\begin{cases} 1 & x \\end{cases}";
	latex_render(&r, t, strlen(t));
	int inside = 1;
	for (size_t i = 0; i < r.out.len; i++)
		inside &= r.src[i].a <= r.src[i].b && r.src[i].b <= strlen(t);
	CHECK(inside, "a source outside the input");
}

int main(void)
{
	CHECK(latex_table_check() == 0, "command table out of order at %d", latex_table_check());
	constructs();
	competition();
	blocks();
	prose();
	mapping();
	latex_free(&r);
	return tap_done();
}
