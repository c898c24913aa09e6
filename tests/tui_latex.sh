#!/bin/sh
# Math that reads like math: real PRM800K steps, problems, references and
# answers shown with their LaTeX rendered (fractions, roots, scripts,
# vectors, environments) at 80 and 120 columns; L shows the raw text;
# search matches the raw text and marks it in the rendered one (in a real
# terminal); a line without spaces wraps before a command, never inside;
# the pager for the problem and reference; pages of the panes; the hint
# bar and the setting that hides it.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null

# solution 2: the centroid problem, vectors in the reference
TUI_SIZE=80x24 tui_run ':open 2
:save-display c80.txt
L
:save-display raw80.txt' --annotator ann
same_screen latex-80 c80.txt
has c80.txt "midpoint of G̅H̅.  Express AF² + BF² + CF² in"
has c80.txt "answer a² + b² + c² - 12R²   gold 3R²"
ok "rendered: no command left on the screen" sh -c '! grep -q "\\\\[a-z]" c80.txt'
has raw80.txt 'midpoint of $\overline{GH}.$  Express $AF^2 +'
has raw80.txt "LaTeX shown raw"
has c80.txt "h help + good 0 neutral - bad e first error"

TUI_SIZE=120x40 tui_run ':open 2
:save-display c120.txt' --annotator ann
same_screen latex-120 c120.txt
has c120.txt " G⃗ = (A⃗ + B⃗ + C⃗)/3"
has c120.txt "F⃗ = ⅔ (A⃗ + B⃗ + C⃗)."
has c120.txt "= ⅑ (A⃗ - 2 B⃗ - 2 C⃗) · (A⃗ - 2 B⃗ - 2 C⃗)"
has c120.txt "Thus, AF² + BF² + CF² = ⟦3R²⟧."

# scripts and an environment laid out as lines (solution 9, step 2)
TUI_SIZE=120x40 tui_run ':open 9
:save-display e120.txt' --annotator ann
has e120.txt "x+y > 1"
has e120.txt "1+x > y"
has e120.txt "1+y > x"
ok "no align left" sh -c '! grep -q "begin{align" e120.txt'
# subscripts of real olympiad-style steps (solution 6)
TUI_SIZE=120x40 tui_run ':open 6
:save-display s120.txt' --annotator ann
has s120.txt "the subsequence a₂ₖ₋₁, a₂ₖ, a₂ₖ₊₁ is"
has s120.txt "a₂ₖ₊₁ = rₖ a₂ₖ = rₖ² a₂ₖ₋₁."
# prices stay prices, \$ is a dollar (solution 10)
TUI_SIZE=120x40 tui_run ':open 10
:save-display p120.txt' --annotator ann
has p120.txt "cost \$1.24. Five pencils and a jumbo eraser cost \$1.82."

# the pager: the problem, the gold answer and the reference, rendered
TUI_SIZE=80x24 tui_run ':open 2
p
:save-display pg.txt
/Thus<Enter>
:save-display pg2.txt' --annotator ann
has pg.txt "[pager]"
has pg.txt "== Problem"
has pg.txt "== Gold answer"
has pg2.txt "Thus, AF² + BF² + CF² = ⟦3R²⟧."

# a long problem: } moves a page, not a line; the reference shows +N lines
python3 - <<'PY'
import json
problem = "\n".join("Line %d of the problem, with $x_{%d}$." % (i, i) for i in range(1, 61))
ref = "\n".join("Reference line %d: $\\frac{%d}{2}$" % (i, i) for i in range(1, 41))
steps = ["We compute $\\sqrt{16} = 4$ and go on.", "Then " + "+".join("a_%d" % i for i in range(1, 40)) +
         "-\\frac{1}{2^{10}}-\\frac{1}{2^{10}}-\\frac{1}{2^{10}}-\\frac{1}{2^{10}}-\\frac{1}{2^{10}}"]
json.dump({"id": "long", "problem": problem, "steps": steps, "reference": ref}, open("long.json", "w"))
PY
sm import long.json --format generic --problem problem --steps steps --id id \
	--reference reference --dataset long >/dev/null
id=$(sql "SELECT s.id FROM solution s JOIN dataset d ON d.id = s.dataset_id WHERE d.name = 'long'")
TUI_SIZE=120x40 tui_run ":open $id
:save-display l1.txt
}
:save-display l2.txt
)
:save-display l3.txt
L
:save-display l4.txt" --annotator ann
has l1.txt "Line 1 of the problem, with x₁."
has l2.txt "Line 11 of the problem, with x₁₁."
ok "one } is a page (of the pane's six lines, one kept)" sh -c 'grep -q "^ Line 6 of" l2.txt && ! grep -q "Line 5 of" l2.txt'
has l1.txt "Reference line 1: ½"
ok "the reference pane says how much is below" grep -q "+[0-9]* lines" l1.txt
ok ") scrolls the reference a page" sh -c 'grep -q "Reference line 3[0-9]: " l3.txt && ! grep -q "Reference line 1: " l3.txt'
# raw: a line with no space wraps before a command, never inside one
ok "raw: no line starts inside a command" sh -c '! grep -q "^       rac{\|^       frac{\|^       {2^{10}" l4.txt'
has l4.txt '       \frac{1}{2^{10}}'

# a real terminal: the match of a raw pattern is marked where it shows
need_tmux
printf 'set advance = no\n' >"$XDG_CONFIG_HOME/stepmark/config"
start_tui a --annotator ann
wait_for a "[queue]" >/dev/null
tmx send-keys -t a ':open 6' Enter
wait_for a "[solution]" >/dev/null
tmx send-keys -t a '/a_\{13\}' Enter
sleep 0.5
ok "the tmux pane shows the rendered subscript" wait_for a "a₁₃ = 2016"
ok "and the raw match a_{13} is marked on it" sh -c "tmux -L '$TMUX_SOCK' capture-pane -p -e -t a | grep -q '48;5;220ma₁₃'"

# issue 27: competition math as an annotator reads it, at 80x24: padding
# dropped, grouping kept, matrices, arrays and cases as aligned blocks
# with what follows beside them, answers that are not math as text; a
# note renders like the step; the review view renders each step's math.
python3 - <<'PY'
import json
steps = [
    r"For the number \( n \), we have $L E O$ and $\log _{a} x$.",
    r"So $\log_{a}\frac{x}{y}$, $\frac{a}{3}d$, $\dfrac1{16}\sin4\theta$, $i\sin\theta$.",
    r"\[\begin{pmatrix}a&b\\c&d\end{pmatrix}^2 = \begin{pmatrix}a^2+bc&ab+bd\\ac+cd&bc+d^2\end{pmatrix}\]",
    r"\[\left| \begin{vmatrix} 1 & 2 \\ 3 & 4 \end{vmatrix} \right| = 2\]",
    r"\[\begin{array}{|c|c|}\hline 1 & \\ \hline & 2 \\ \hline\end{array}\]",
    r"$f(x) = \begin{cases} x & x \ge 0 \\ -x & x < 0 \end{cases}$",
]
recs = [{"id": "m1", "problem": "Compute $A^2$.", "steps": steps, "answer": "}", "gold": "] }",
         "fe": 2, "note": r"step 3: $\frac{a}{3}d$ is $\begin{bmatrix}1&2\\3&4\end{bmatrix}$ here"},
        {"id": "m1", "problem": "Compute $A^2$.", "steps": steps, "answer": "}", "gold": "] }",
         "fe": None, "note": None}]
json.dump([recs[0]], open("m1.json", "w"))
json.dump([recs[1]], open("m2.json", "w"))
PY
for f in m1:ann1 m2:ann2; do
	sm import "${f%%:*}.json" --format generic --problem problem --steps steps --id id \
		--answer answer --gold gold --first-error fe --note note --dataset comp \
		--as "${f#*:}" >/dev/null
done
id=$(sql "SELECT s.id FROM solution s JOIN dataset d ON d.id = s.dataset_id WHERE d.name = 'comp'")
TUI_SIZE=80x24 tui_run ":open $id
:save-display m1.txt
jjj
:save-display m2.txt
jj
:save-display m3.txt" --annotator ann
same_screen math-80 m1.txt
same_screen math-80-blocks m2.txt
same_screen math-80-note m3.txt
has m1.txt "For the number n, we have LEO and logₐ x."
has m1.txt "So logₐ(x/y), (a/3)d, (1/16) sin 4θ, i sin θ."
has m1.txt "answer }   gold ] }"
has m2.txt "⎛a  b⎞² = ⎛a²+bc  ab+bd⎞"
has m2.txt "⎝c  d⎠    ⎝ac+cd  bc+d²⎠"
has m2.txt "││1  2││ = 2"
has m3.txt "│ 1 │   │"
has m3.txt "f(x) = ⎧ x   x ≥ 0"
has m3.txt "ann1:"
has m3.txt "step 3: (a/3)d is"
has m3.txt "       ⎡1  2⎤"
# the review view: each step's math rendered on its one line
TUI_SIZE=80x24 tui_run ":open $id
:review
:save-display rv.txt" --annotator ann
same_screen math-80-review rv.txt
has rv.txt "For the number n, we have LEO and logₐ x."
has rv.txt "(a, b; c, d)² = (a²+bc, ab+bd; ac+cd, bc+d²)"
ok "review: no command left on the screen" sh -c '! grep -q "\\\\[a-z]" rv.txt'

# the hint bar goes with the setting
printf 'set hints = no\n' >"$XDG_CONFIG_HOME/stepmark/config"
TUI_SIZE=80x24 tui_run ':open 2
:save-display nh.txt' --annotator ann
ok "hints = no: no hint bar" sh -c '! grep -q "h help" nh.txt'
finish
