#!/bin/sh
# A search never blocks a key: on a store of 20 000 solutions, /pattern
# whose only match is in the last solution runs between keys. A key typed
# while it runs is answered at once and stops it ("search stopped"); n
# then finds the far match, in a real terminal (tmux); the search wraps.
# (How long keys take is bench/ui's to measure, not a test's.)
. "$top_srcdir/tests/lib.sh"
need_tmux
python3 "$top_srcdir/tests/gen_big.py" --prm800k 20000 >big.jsonl
python3 - <<'PY'
import json
lines = open("big.jsonl").read().splitlines()
r = json.loads(lines[-1])
r["label"]["steps"][0]["completions"][0]["text"] += " zebracorn"
lines[-1] = json.dumps(r)
open("big.jsonl", "w").write("\n".join(lines) + "\n")
PY
sm import big.jsonl >/dev/null
last=$(sql "SELECT max(id) FROM solution")
printf 'set advance = no\nset hints = no\n' >"$XDG_CONFIG_HOME/stepmark/config"
start_tui a --annotator ann
ok "the queue is up" wait_for a "[queue]"
# a key while it runs: answered, and the search stops
tmx send-keys -t a / zebracorn Enter j
ok "the key stopped the search" wait_for a "search stopped"
ok "and moved the cursor" wait_for a " 2/20000 solutions"
# n: the far match, found between keys
tmx send-keys -t a n
ok "the far match is found" wait_for a "$last/20000 solutions" 60
# and again: from the match, it wraps round to it
tmx send-keys -t a n
ok "it wraps" wait_for a "search hit BOTTOM, continuing at TOP" 60
ok "to the same row" wait_for a "$last/20000 solutions"
# what a pattern matched is remembered by solution, and a solution the
# store gains later is searched all the same
tmx send-keys -t a / quagga Enter
ok "no match anywhere" wait_for a "no match for quagga" 60
python3 - <<'PY' >more.jsonl
import json
r = json.loads(open("big.jsonl").readline())
r["question"]["problem"] = "How many legs has a quagga?"
print(json.dumps(r))
PY
sm import more.jsonl --dataset more >/dev/null
tmx send-keys -t a / quagga Enter
ok "a solution imported since: found" wait_for a "/quagga: found in solution $((last + 1))" 60

# the search of ProcessBench's MATH split at 80x24 (#13, #121, #129 and
# #201 hold a pmatrix): the status line says where each search ended, and
# a search started by a key runs at once, so a second quick n finds the
# next match rather than stopping a search that never ran
if [ -f "$SHARED_DATA/processbench/math.json" ]; then
	STEPMARK_DB="$TMP/math.db" sm import "$SHARED_DATA/processbench/math.json" >/dev/null
	tmx new-session -d -s m -x 80 -y 24 \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$TMP/math.db' --annotator ann; echo EXITED \$?; sleep 600"
	ok "math: the queue is up" wait_for m "1000 solutions"
	tmx send-keys -t m / pmatrix Enter
	ok "math: /pmatrix finds #13" wait_for m "13/1000 solutions"
	ok "math: and says the search ended there" wait_for m "/pmatrix: found in solution 13"
	tmx send-keys -t m n
	ok "math: n finds #121 and says so" wait_for m "/pmatrix: found in solution 121"
	tmx send-keys -t m n
	sleep 0.15
	tmx send-keys -t m n
	ok "math: two quick n go two matches on" wait_for m "/pmatrix: found in solution 201"
	ok "math: nothing was stopped" sh -c "! tmux -L '$TMUX_SOCK' capture-pane -p -t m | grep -q 'search stopped'"
	ok "math: no search is said running" sh -c "! tmux -L '$TMUX_SOCK' capture-pane -p -t m | grep -q 'searching'"
fi

# search wraps like vim's in key scripts too, from the queue and from a
# solution; a filter that matches nothing says so (a small store)
export STEPMARK_DB="$TMP/small.db"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
tui_run 'G
/Sue lives<Enter>
:save-display s1.txt' --annotator alice
ok "search wrapped to the top" has s1.txt "search hit BOTTOM, continuing at TOP"
ok "and found row 1" has s1.txt "1/20 solutions"
tui_run '<Enter>
G
/Sue lives<Enter>
:save-display s2.txt' --annotator alice
ok "from a solution's last step too" has s2.txt "search hit BOTTOM, continuing at TOP"

# a pattern searched again costs no text read: the solutions it was
# matched against are remembered (two searches read what one did), and
# a filter changed in between finds what the pattern matched (an
# alternative: the store's words cannot answer for it)
STEPMARK_SQLLOG=once.sql tui_run '/nosuchword|anywherezz<Enter>
:save-display n1.txt' --annotator alice
STEPMARK_SQLLOG=twice.sql tui_run '/nosuchword|anywherezz<Enter>
/nosuchword|anywherezz<Enter>
:save-display n2.txt' --annotator alice
ok "no match, said" has n2.txt "no match for nosuchword|anywherezz"
reads() { grep -c 'FROM step WHERE solution_id' "$1"; }
ok "the texts were read" test "$(reads once.sql)" -gt 0
ok "not read again for the second search" test "$(reads twice.sql)" = "$(reads once.sql)"
# a word no text holds: the store's words say so, no text is read
STEPMARK_SQLLOG=none.sql tui_run '/nosuchwordanywhere<Enter>
:save-display n4.txt' --annotator alice
ok "a word in no text: no match, said" has n4.txt "no match for nosuchwordanywhere"
ok "and no text read for it" test "$(reads none.sql)" = 0
tui_run '/Sue lives<Enter>
:filter mine
:filter all
G
/Sue lives<Enter>
:save-display n3.txt' --annotator alice
ok "a filter changed between: the match is found again" has n3.txt "search hit BOTTOM, continuing at TOP"
ok "at row 1" has n3.txt "1/20 solutions"

# the store's words change no search's answer: case (smart case, and
# the two signs PCRE2 takes for k and s), accents, words met only inside
# longer ones, digits, escapes, repeats, classes and alternatives; words
# imported later, and words a migration read from an older store
export STEPMARK_DB="$TMP/words.db"
python3 - <<'PY' >words.json
import json
texts = [
    "Nothing to see.",                          # 1: the cursor's row
    "The temperature is 5 \u212aelvin.",        # 2: KELVIN SIGN only
    "A \u017ftrange case of the long s.",       # 3: LONG S only
    "\u00c9COLE normale; the colour of it.",    # 4: accented capital
    "Let x = 3.5 + y_2 and a Mixed CaSe Word.",  # 5
    "Then (a+b)^2 is [bracketed] {brace}.",      # 6
    "Unbelievably longwordwithinside here.",     # 7
]
print(json.dumps([{"id": "w-%d" % i, "generator": "g", "problem": "Problem %d" % i,
                   "steps": ["Step one.", t], "label": -1, "final_answer_correct": True}
                  for i, t in enumerate(texts, 1)]))
PY
sm import words.json >/dev/null
search_says() { # search_says PATTERN TEXT: /PATTERN's status line holds TEXT
	tui_run "/$1<Enter>
:save-display w.txt" --annotator alice
	ok "/$1: $2" has w.txt "$2"
}
words_cases() {
	search_says 'kelvin' "found in solution 2"
	search_says 'Kelvin' "no match for Kelvin"
	search_says 'strange' "found in solution 3"
	search_says 'STRANGE' "no match for STRANGE"
	search_says 'école' "found in solution 4"
	search_says 'ÉCOLE' "found in solution 4"
	search_says 'colou?r' "found in solution 4"
	search_says 'colouxr?' "no match for colouxr?"
	search_says 'mixed case' "found in solution 5"
	search_says 'Mixed case' "no match for Mixed case"
	search_says 'y_2' "found in solution 5"
	search_says '3\.5' "found in solution 5"
	search_says '\(a\+b\)' "found in solution 6"
	search_says '[b]racketed' "found in solution 6"
	search_says 'zebra|brace' "found in solution 6"
	search_says 'withins' "found in solution 7"
	search_says 'believ' "found in solution 7"
	search_says 'zebra' "no match for zebra"
	search_says 'quokka\d' "no match for quokka"
}
words_cases
ok "the words are the store's" test "$(sqlite3 "$STEPMARK_DB" "select count(*) from word where w in ('kelvin', 'strange', 'longwordwithinside')")" = 3
ok "numbers are not kept" test "$(sqlite3 "$STEPMARK_DB" "select count(*) from word where w glob '[0-9]*' and not w glob '*[^0-9]*'")" = 0
python3 -c 'import json; print(json.dumps([{"id": "w-8", "generator": "g", "problem": "Zebra crossing", "steps": ["A quokka."], "label": -1}]))' >more.json
sm import more.json --dataset more >/dev/null
search_says 'zebra' "found in solution 8"
search_says 'quokka' "found in solution 8"
# an older store: the migration reads its texts' words
rm -f "$STEPMARK_DB"*
sm import words.json >/dev/null
# (22, not the current version less one: a migration appended later
# would not undo the words')
sqlite3 "$STEPMARK_DB" "$(undo_25) $(undo_params) $(undo_words) PRAGMA user_version = 22"
words_cases
ok "the migration read the words" test "$(sqlite3 "$STEPMARK_DB" "select count(*) from word where w in ('kelvin', 'strange', 'longwordwithinside')")" = 3
export STEPMARK_DB="$TMP/small.db"

# a filter that matches nothing says so, with the pattern
tui_run ':grep nosuchwordanywhere
:save-display e1.txt' --annotator alice
ok "an empty grep says the filter matched nothing" has e1.txt "no solution matches: all  grep /nosuchwordanywhere/"
ok "not that the store is empty" sh -c '! grep -q "stepmark import FILE" e1.txt'
ok "the pattern is in the status line" grep -q 'grep /nosuchwordanywhere/.*alice' e1.txt

finish
