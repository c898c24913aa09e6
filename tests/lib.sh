# lib.sh - shared by the shell tests: a scratch directory and checks
# Each test script sources this, runs its checks, and ends with `finish`.
set -u
: "${STEPMARK:=$top_builddir/stepmark}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stepmark-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP" || exit 99
export STEPMARK_DB="$TMP/store.db"
export LC_ALL=C.UTF-8 TZ=UTC
unset NO_COLOR
checks=0
failed=0

sm() {
	if [ -n "${STEPMARK_VALGRIND:-}" ]; then
		# PCRE2's JIT code reads whole vectors past a subject's end,
		# within the page; valgrind cannot tell, so no JIT under it
		STEPMARK_NO_JIT=1 valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$STEPMARK" "$@"
	else
		"$STEPMARK" "$@"
	fi
}

in_ok=0
ok() { # ok DESCRIPTION COMMAND...
	local what=$1 rc
	shift
	checks=$((checks + 1))
	in_ok=1
	"$@"
	rc=$?
	in_ok=0
	if [ $rc != 0 ]; then
		failed=$((failed + 1))
		echo "not ok $checks - $what"
	fi
}

# expect_rc WANT DESCRIPTION COMMAND...: runs it, keeps out and err
expect_rc() {
	local want=$1 what=$2 rc
	shift 2
	checks=$((checks + 1))
	"$@" >out 2>err
	rc=$?
	if [ "$rc" != "$want" ]; then
		failed=$((failed + 1))
		echo "not ok $checks - $what: exit $rc, want $want"
		sed 's/^/  out: /' out | head -20
		sed 's/^/  err: /' err | head -20
	fi
}

# has FILE TEXT: the file contains the fixed text; a check of its own
# unless ok runs it
has() {
	if grep -qF -- "$2" "$1"; then
		[ $in_ok = 1 ] || checks=$((checks + 1))
		return 0
	fi
	echo "  ($1 lacks: $2)"
	sed 's/^/  | /' "$1" | head -10
	if [ $in_ok = 0 ]; then
		checks=$((checks + 1))
		failed=$((failed + 1))
		echo "not ok $checks - $1 has: $2"
	fi
	return 1
}

sql() { sqlite3 "$STEPMARK_DB" "$@"; }

# undo_words: the SQL that takes away issue 30's word table (search), for
# the tests that fake an older store, with undo_counts and undo_20; they
# set the version they fake by number, not as the newest less k
undo_words() { echo "DROP TABLE word;"; }

# undo_25: the SQL that takes away issue 30's partial indexes of the agreed
# mark and of the agreed rules' kinds (schema 20's two indexes and the
# rules' index again), for the tests that fake an older store, first of
# the undo_ helpers
undo_25() {
	cat <<'SQL'
DROP INDEX summary_agreed; DROP INDEX summary_agreedp; DROP INDEX summary_noagreed;
DROP INDEX summary_noagreedp; DROP INDEX agreed_adjudicated; DROP INDEX agreed_people;
DROP INDEX agreed_sources; DROP INDEX agreed_undecided; DROP INDEX agreed_ids;
CREATE INDEX summary_agreed ON summary(agreed, solution_id);
CREATE INDEX summary_agreedp ON summary(agreed, labelled * 1000 / max(nsteps, 1), solution_id);
CREATE INDEX agreed_rule ON agreed(rule, solution_id);
SQL
}

# undo_params: the SQL that takes away issue 26's job params by id (the
# job table's keys on the params' text again, no job_params; job_state
# for job_leased), for the
# tests that fake an older store, with undo_words, undo_counts and undo_20
undo_params() {
	cat <<'SQL'
DROP INDEX job_key; DROP INDEX job_todo; ALTER TABLE job DROP COLUMN pid; DROP TABLE job_params;
DROP INDEX job_leased; CREATE INDEX job_state ON job(state, id);
CREATE UNIQUE INDEX job_key ON job(kind, params, solution_id);
CREATE INDEX job_todo ON job(kind, params, state, solution_id);
SQL
}

# undo_20: the SQL that takes a store of schema 20 back to 19 (the agreed
# mark back in summary.flags, with schema 14's triggers and indexes), for
# the tests that fake an older store (then PRAGMA user_version)
undo_20() {
	cat <<'SQL'
DROP INDEX summary_agreed; DROP INDEX summary_agreedp;
UPDATE summary SET flags = flags | 32 WHERE agreed;
ALTER TABLE summary DROP COLUMN agreed;
CREATE TRIGGER agreed_flag_insert AFTER INSERT ON agreed BEGIN
  UPDATE summary SET flags = (flags & ~32) | (CASE WHEN new.rule IS NULL THEN 0 ELSE 32 END)
  WHERE solution_id = new.solution_id; END;
CREATE TRIGGER agreed_flag_update AFTER UPDATE ON agreed BEGIN
  UPDATE summary SET flags = (flags & ~32) | (CASE WHEN new.rule IS NULL THEN 0 ELSE 32 END)
  WHERE solution_id = new.solution_id; END;
CREATE TRIGGER agreed_flag_delete AFTER DELETE ON agreed BEGIN
  UPDATE summary SET flags = flags & ~32 WHERE solution_id = old.solution_id; END;
CREATE INDEX summary_agr ON summary(solution_id) WHERE flags & 32;
CREATE INDEX summary_agrp ON summary(labelled * 1000 / max(nsteps, 1), solution_id) WHERE flags & 32;
CREATE INDEX summary_noagr ON summary(solution_id) WHERE NOT (flags & 32);
CREATE INDEX summary_noagrp ON summary(labelled * 1000 / max(nsteps, 1), solution_id)
  WHERE NOT (flags & 32);
SQL
}

# undo_counts: the SQL that takes away issue 30's migration (stats' counts
# per annotator kept with the summaries, the last one for now), for the
# tests that fake an older store; then undo_20, and one version less
undo_counts() {
	cat <<'SQL'
ALTER TABLE summary DROP COLUMN counts;
DELETE FROM tally WHERE kind IN ('decider', 'decided', 'rated', 'adjudicated');
DELETE FROM store_state WHERE key = 'counts';
SQL
}

# hold_lock SECONDS [DB]: another writer holds the store's write lock for
# SECONDS; returns once it does, with its pid in $holder
hold_lock() {
	rm -f "$TMP/locked"
	python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")' "${2:-$STEPMARK_DB}" "$1" "$TMP/locked" &
	holder=$!
	while [ ! -f "$TMP/locked" ]; do sleep 0.02; done
}

need_shared() { # skips the test (exit 77) without ../shared/data
	[ -f "$SHARED_DATA/$1" ] || { echo "skip: no $SHARED_DATA/$1"; exit 77; }
}

finish() {
	echo "$checks checks, $failed failed"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}

# The workbench without a terminal (the tig way): keys from a script,
# the screen kept in memory, :save-display FILE writes it as text.
# tui_run "KEYS..." [ARGS...]; the screen size is $TUI_SIZE (COLSxLINES).
export XDG_CONFIG_HOME="$TMP/xdg" HOME="$TMP/home"
mkdir -p "$TMP/xdg/stepmark" "$TMP/home"
tui_run() {
	local keys=$1 size=${TUI_SIZE:-100x24}
	shift
	printf '%s\n' "$keys" >"$TMP/keys"
	STEPMARK_SCRIPT="$TMP/keys" STEPMARK_NO_DISPLAY=1 TERM=xterm-256color \
		COLUMNS=${size%x*} LINES=${size#*x} sm "$@"
	local rc=$?
	checks=$((checks + 1))
	if [ $rc != 0 ]; then
		failed=$((failed + 1))
		echo "not ok $checks - the session exited $rc"
	fi
}

# man_commands [TEXT]: every command of stepmark(1)'s examples as written
# (the lines between .EX and .EE, roff escapes undone, continuations
# joined), one a line; with TEXT, only the block of the example after it
man_commands() {
	python3 - "$top_srcdir/man/stepmark.1" "${1:-}" <<'PY'
import sys
text = open(sys.argv[1]).read()
if sys.argv[2]:
    start = text.index(sys.argv[2])
    text = text[text.index(".EX\n", start):text.index(".EE\n", start) + 4]
cur, inside = "", False
for line in text.splitlines():
    if line == ".EX":
        inside = True
    elif line == ".EE":
        inside = False
    elif inside:
        line = line.replace("\\-", "-").replace("\\(dq", '"').replace("\\e", "\\")
        if line.endswith("\\"):
            cur += line[:-1]
        else:
            print((cur + line).strip())
            cur = ""
PY
}

# same_screen NAME FILE: FILE equals tests/screens/NAME (GENERATE=1
# writes it instead)
same_screen() {
	checks=$((checks + 1))
	if [ -n "${GENERATE:-}" ]; then
		cp "$2" "$top_srcdir/tests/screens/$1"
	elif ! diff -u "$top_srcdir/tests/screens/$1" "$2" >"$TMP/diff"; then
		failed=$((failed + 1))
		echo "not ok $checks - screen: $1"
		sed 's/^/  /' "$TMP/diff"
	fi
}

# tmux: a private server per test; tmx ARGS... runs a tmux command on it
need_tmux() {
	command -v tmux >/dev/null || { echo "skip: no tmux"; exit 77; }
	TMUX_SOCK="sm-test-$$"
	trap 'tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
}
tmx() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }
# screen_of PANE: the pane's text now
screen_of() { tmx capture-pane -p -t "$1"; }
# wait_for PANE TEXT [SECONDS]: until the pane shows TEXT
wait_for() {
	local n=0 limit=$(( ${3:-15} * 10 ))
	while ! screen_of "$1" | grep -qF -- "$2"; do
		n=$((n + 1))
		if [ $n -ge $limit ]; then
			echo "  (timed out waiting for: $2)"
			screen_of "$1" | sed 's/^/  | /'
			return 1
		fi
		sleep 0.1
	done
}
# start_tui NAME ARGS...: the workbench in a new tmux session, 100x30
start_tui() {
	local name=$1
	shift
	tmx new-session -d -s "$name" -x "${TUI_COLS:-100}" -y "${TUI_LINES:-30}" \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' ${TUI_ENV:-} '$STEPMARK' --db '$STEPMARK_DB' $*; echo EXITED \$?; sleep 600"
}

# ---- the fake OpenAI-compatible server (tests/fake_oai.py) ----
# start_fake [ARGS...]: starts it on a free loopback port over the
# simulation data ($TMP/sim.jsonl, made from the fixture if absent);
# sets FAKE_PORT and FAKE_URL. Stopped at exit.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
start_fake() {
	[ -f "$TMP/sim.jsonl" ] ||
		python3 "$top_srcdir/tests/sim_data.py" "$FIXTURES/processbench_gsm8k_20.json" >"$TMP/sim.jsonl"
	rm -f "$TMP/fake.port"
	python3 "$top_srcdir/tests/fake_oai.py" --data "$TMP/sim.jsonl" \
		--port-file "$TMP/fake.port" --log "$TMP/fake.log" "$@" 2>"$TMP/fake.err" &
	FAKE_PID=$!
	trap 'kill $FAKE_PID 2>/dev/null; rm -rf "$TMP"' EXIT
	local i=0
	while [ ! -s "$TMP/fake.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	FAKE_PORT=$(cat "$TMP/fake.port")
	FAKE_URL="http://127.0.0.1:$FAKE_PORT"
}
# sim_whowhen DIR: the fake server's simulation data ($TMP/sim.jsonl) from
# Who&When's logs under DIR: each log's turns, decisive turn and agent
sim_whowhen() {
	python3 - "$1" >"$TMP/sim.jsonl" <<'PY'
import glob, json, os, sys
for sub in ("Algorithm-Generated", "Hand-Crafted"):
    for f in sorted(glob.glob(os.path.join(sys.argv[1], sub, "*.json"))):
        d = json.load(open(f))
        print(json.dumps({"id": sub + "/" + os.path.basename(f), "problem": d["question"],
                          "steps": [h["content"] for h in d["history"]], "gold": d["ground_truth"],
                          "first_error": int(d["mistake_step"]), "agent": d["mistake_agent"]}))
PY
}
# fake_control JSON: sets the faults and latency
fake_control() {
	curl -s -X POST --data-binary "$1" "$FAKE_URL/control" >/dev/null
}
fake_stats() { curl -s "$FAKE_URL/stats"; }
# sim_store: the simulation's data set in the store, true first errors
# as the labels of annotator "truth"
sim_store() {
	sm import "$TMP/sim.jsonl" --format generic --problem problem --steps steps \
		--gold gold --id id --first-error first_error --as truth --dataset gsm8k >/dev/null
}
# fake_config FILE [EXTRA LINES...]: endpoints for every provider
fake_config() {
	local f=$1
	shift
	{
		echo "endpoint judge url $FAKE_URL/v1"
		echo "endpoint judge model sim-judge"
		echo "endpoint judge kind chat"
		echo "endpoint judge retries 3"
		echo "endpoint policy url $FAKE_URL/v1"
		echo "endpoint policy model sim-policy"
		echo "endpoint policy kind completions"
		echo "endpoint policy for mc"
		echo "endpoint prm url $FAKE_URL/v1"
		echo "endpoint prm model sim-prm"
		echo "endpoint prm kind pooling"
		for l in "$@"; do echo "$l"; done
	} >"$f"
}
# wait_for_sql QUERY WANT [SECONDS]: until the query gives WANT
wait_for_sql() {
	local n=0 limit=$(( ${3:-15} * 10 ))
	while [ "$(sql "$1")" != "$2" ]; do
		n=$((n + 1))
		[ $n -ge $limit ] && { echo "  (timed out: $1 gives $(sql "$1"), want $2)"; return 1; }
		sleep 0.1
	done
}
# walk_session WHO N: the keys of a walk-through's session: each of N
# solutions of the queue's filter opened in turn; alice marks the first
# step wrong on every third, bob on every fourth, the rest no error;
# carol takes the first annotator's first error
walk_session() { # walk_session WHO N
	python3 - "$1" "$2" <<'PY'
import sys
who, n = sys.argv[1], int(sys.argv[2])
if who == "carol":
    print(":filter disagree-annotators")
    for i in range(n):
        print("V"); print("a"); print("1"); print("the first annotator is right<Enter>"); print("q"); print("j")
else:
    k = 3 if who == "alice" else 4
    print(":filter assigned")
    for i in range(n):
        print("<Enter>"); print("e" if i % k == 0 else "c"); print("q"); print("j")
print(":quit")
PY
}
