#!/bin/sh
# The queue counts each filter once and keeps the count current: after
# labelling, only the chunk of ids that changed is counted again; going
# back to an earlier filter reuses its count; another writer's labels
# count their chunks again, other changes (a deal, a consensus) every
# chunk. Each count is checked against SQL.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
printf 'set advance = no\n' >"$XDG_CONFIG_HOME/stepmark/config"
todo() { sql "SELECT count(*) FROM solution s WHERE NOT EXISTS (SELECT 1 FROM label l WHERE l.solution_id = s.id AND l.annotator = 'zed' AND l.kind = 'first_error' AND l.value IS NOT NULL)"; }
total() { tail -1 "$1" | grep -o "[0-9]*/[0-9]* solutions*" | cut -d/ -f2 | cut -d' ' -f1; }
tui_run ':filter todo
:save-display c1.txt
<Enter>
c
q
:save-display c2.txt
:filter all
:filter todo
:save-display c3.txt
:open 3
e
q
:filter disagree
:filter todo
:save-display c4.txt' --annotator zed
ok "todo at first: all 20" test "$(total c1.txt)" = 20
ok "one decided: 19" test "$(total c2.txt)" = 19
ok "back from another filter: still 19" test "$(total c3.txt)" = 19
ok "another decided: 18, as SQL says" test "$(total c4.txt)" = "$(todo)"
# back to a filter counted before, nothing written: no count runs
printf ':filter todo\n:filter all\n:filter todo\n' >keys
STEPMARK_SCRIPT=keys STEPMARK_NO_DISPLAY=1 STEPMARK_SQLLOG=sql.log TERM=xterm-256color COLUMNS=100 LINES=24 sm --annotator zed
ok "each filter counted once" test "$(grep -c 'BETWEEN 1 AND 4000;$' sql.log)" = 2
# another writer decides one while the queue is open: everything is
# counted again (a workbench in tmux, the other scripted)
need_tmux
start_tui a --annotator zed
ok "the queue is up" wait_for a "[queue]"
tmx send-keys -t a ':filter todo' Enter
ok "it counts 18" wait_for a "18 solutions"
tui_run ':open 5
e' --annotator zed
ok "the store says 17" test "$(todo)" = 17
ok "the open queue sees the other writer's label" wait_for a "17 solutions"

# on a store of twelve chunks of ids, another writer's label is counted
# again in its chunk alone, and the rank of the last row comes from the
# chunks' counts; a deal (no label) counts everything again
export STEPMARK_DB="$TMP/big.db"
python3 "$top_srcdir/tests/gen_big.py" --processbench 45000 >big.json
sm import big.json --format processbench --dataset big >/dev/null
tmx new-session -d -s b -x 100 -y 30 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' STEPMARK_SQLLOG='$TMP/big.sql' '$STEPMARK' --db '$STEPMARK_DB' --annotator zed; sleep 600"
ok "the big queue is up" wait_for b "[queue]"
tmx send-keys -t b ':filter todo' Enter
ok "all 45000 to do, counted" wait_for b "1/45000 solutions" 30
tmx send-keys -t b G
ok "the last one's rank" wait_for b "45000/45000 solutions" 30
# the todo filter's counts of a chunk (the SQL log is whole once it quits)
todo_counts() { grep -c "') > 0) AND m.solution_id BETWEEN $1 AND $2;\$" "$TMP/big.sql"; }
tui_run ':open 44000
e' --annotator zed
ok "another writer's label: 44999 to do, the rank kept" wait_for b "44999/44999 solutions" 30
tmx send-keys -t b ':filter assigned' Enter
ok "nothing dealt yet" wait_for b "assigned  0 solutions" 30
sm assign --annotators zed --limit 5 >/dev/null
ok "another writer's deal: 5 assigned, counted again" wait_for b "1/5 solutions" 30
tmx send-keys -t b ':quit' Enter
sleep 1
all_counts() { grep -c "WHERE 1 AND m.solution_id BETWEEN $1 AND $2;\$" "$TMP/big.sql"; }
ok "all: the label's chunk not counted again" test "$(all_counts 28001 32000)" = "$(all_counts 1 4000)"
ok "the label's chunk counted again" test "$(todo_counts 40001 44000)" = 2
ok "the other chunks not, nor for the rank" test "$(todo_counts 1 4000)-$(todo_counts 40001 44000)-$(todo_counts 44001 48000)" = 1-2-1
# the all filter keeps every solution: another writer's label counts
# none of its chunks again (only a chunk that gains solutions is)
tmx new-session -d -s c -x 100 -y 30 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' STEPMARK_SQLLOG='$TMP/all.sql' '$STEPMARK' --db '$STEPMARK_DB' --annotator zed; sleep 600"
ok "all: counted" wait_for c "1/45000 solutions" 30
tui_run ':open 30000
e' --annotator zed
sleep 2 # seen between keys, within half a second
tmx send-keys -t c ':quit' Enter
sleep 1
all_counts() { grep -c "WHERE 1 AND m.solution_id BETWEEN $1 AND $2;\$" "$TMP/all.sql"; }
ok "the other writer's label was seen" grep -q "FROM label WHERE id > " "$TMP/all.sql"
ok "all: its chunk not counted again" test "$(all_counts 28001 32000)" = "$(all_counts 1 4000)"
# what another writer wrote is read from the mark on, not found by a walk
# of every label and suggestion of the store (bench/team: 81 % of a
# workbench's CPU with four of them and a fetch)
q=$(grep -m1 "FROM label WHERE id > " "$TMP/big.sql" | sed 's/;$//')
ok "another writer's labels: a statement reads them" test -n "$q"
ok "by id, from the mark" sh -c "sqlite3 '$STEPMARK_DB' \"EXPLAIN QUERY PLAN \$1\" | grep -q 'SEARCH label USING INTEGER PRIMARY KEY'" - "$q"
finish
