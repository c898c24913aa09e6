#!/bin/sh
# Short names: PRM800K's labeller UUIDs get L1, L2... in the order of their
# first label (kept by the store, the same after an upgrade from schema 6),
# the config's alias lines win, and the queue shows your verdict first,
# then the sources', then the others' by their short names; the verifier's
# score is a number beside the answer, not a verdict in the queue.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
first=$(sql "SELECT annotator FROM label ORDER BY id LIMIT 1")
ok "the first labeller is L1" test "$(sql "SELECT alias FROM annotator WHERE name = '$first'")" = L1
ok "eleven UUIDs, eleven aliases" test "$(sql "SELECT count(*) FROM annotator WHERE alias GLOB 'L[0-9]*'")" = 11
ok "a readable name gets none" test "$(sql "SELECT count(*) FROM annotator WHERE name = 'processbench_gsm8k_20' AND alias IS NULL")" = 1

# an upgrade from schema 6 numbers them the same way
cp store.db old.db
sqlite3 old.db "DROP TABLE annotator; PRAGMA user_version = 6"
sqlite3 old.db "DROP INDEX summary_unsure; DROP INDEX summary_unsurep; ALTER TABLE suggestion DROP COLUMN rollouts"
sqlite3 old.db "DROP INDEX label_uid; DROP INDEX label_unsynced; ALTER TABLE label DROP COLUMN uid; ALTER TABLE label DROP COLUMN hub_seq"
# and none of what later schemas add
for i in 4 8 16 28 4p 8p 16p 28p; do sqlite3 old.db "DROP INDEX summary_dis$i"; done
sqlite3 old.db "$(undo_25) $(undo_counts) $(undo_20) DROP TABLE store_state; DROP TABLE tally; DROP INDEX summary_counts; ALTER TABLE problem DROP COLUMN reference_steps; DROP TABLE agreed; DROP TABLE assignment;
	DROP INDEX summary_agr; DROP INDEX summary_agrp; DROP INDEX summary_noagr; DROP INDEX summary_noagrp;
	ALTER TABLE step DROP COLUMN agent; ALTER TABLE step DROP COLUMN role;
	ALTER TABLE label DROP COLUMN agent; ALTER TABLE suggestion DROP COLUMN agent;
	ALTER TABLE label DROP COLUMN guidelines; DROP TABLE guidelines;
	DROP TABLE batch_round; DROP TABLE batch_job; DROP TABLE batch_part"
STEPMARK_DB=old.db sm import "$FIXTURES/math_shepherd_example.json" >/dev/null
ok "upgraded: the same aliases" test "$(sqlite3 old.db "SELECT group_concat(name || '=' || alias) FROM (SELECT * FROM annotator WHERE alias IS NOT NULL ORDER BY name)")" = \
	"$(sql "SELECT group_concat(name || '=' || alias) FROM (SELECT * FROM annotator WHERE alias IS NOT NULL ORDER BY name)")"

# stats lists them, with the config's
printf 'alias processbench_gsm8k_20 pb\n' >"$XDG_CONFIG_HOME/stepmark/config"
expect_rc 0 "stats" sm stats
ok "stats lists L1" grep -q "^  L1 *$first\$" out
ok "and the config's alias" grep -q "^  pb *processbench_gsm8k_20  (config)" out
# stats counts what a person calls labels (issue 29: "labels by 11cce4ab-...: 2"
# for a record with 7 rated steps counted label rows), by the short names
l7=$(sql "SELECT alias FROM annotator WHERE name = 'cc88bf76-df08-4041-be67-3464279cb3b1'")
ok "stats: L1's one solution and its 7 rated steps" grep -q "^  prm800k  *labels by $l7: 1 solution, 7 steps rated\$" out
ok "stats: the twenty ProcessBench solutions by pb" grep -q "labels by pb: 20 solutions, [0-9]* steps rated" out
ok "stats says what it counts" has out "labels: the solutions each annotator's ratings or first error decide"
ok "stats: no UUID among the labels" sh -c '! grep "labels by [0-9a-f]\{8\}-" out'
# the audit shows the short names the queue and stats show
expect_rc 0 "audit against pb" sm audit --truth pb
ok "audit: the truth by its short name" has out "truth: pb ("
ok "audit: the labellers by theirs" grep -q "^prm800k  *$l7  " out
ok "audit: no UUID in the tables" sh -c '! grep -E "[0-9a-f]{8}-[0-9a-f]{4}-" out'
expect_rc 0 "audit --truth by a short name" sm audit --truth "$l7" --json
ok "JSON keeps the full names" has out '"truth":"cc88bf76-df08-4041-be67-3464279cb3b1"'

# a short name that is taken is a warning naming the line
printf 'alias processbench_gsm8k_20 pb\nalias alice pb\nalias bob "has space"\n' >"$XDG_CONFIG_HOME/stepmark/config"
expect_rc 1 "check-config finds two bad lines" sm check-config "$XDG_CONFIG_HOME/stepmark/config"
ok "a taken alias is named" has out "config:2: alias pb is taken by processbench_gsm8k_20"
ok "a short name with a space is refused" has out "config:3: alias has space: no spaces"
printf 'alias processbench_gsm8k_20 pb\nset advance = no\n' >"$XDG_CONFIG_HOME/stepmark/config"

# the queue: mine first, then sources, then others by their short names
TUI_SIZE=80x24 tui_run ':open 13
e
q
:save-display q.txt' --annotator zoe
# (a key too long for its column loses its middle)
has q.txt "  1       prm800k      p:e0…6c81762     7     7/7    L1:7"
ok "the verifier is no verdict in the queue" sh -c '! grep -q "verifier" q.txt'
ok "mine first, then the data set's labeller by its alias" grep -q "^! 13 .* me:1 pb:2 " q.txt
# the solution view: the alias beside the step, the verifier by the answer
TUI_SIZE=80x24 tui_run ':open 1
:save-display s.txt' --annotator zoe
has s.txt "unlabelled | L1:+1"
has s.txt "verifier 0.00115"
# the help lists the short names
TUI_SIZE=100x60 tui_run 'h
/short names<Enter>
:save-display h.txt' --annotator zoe
has h.txt "Annotators' short names"
has h.txt "pb                  processbench_gsm8k_20"
finish
