#!/bin/sh
# No key is ever lost: labelling actions typed while another writer holds
# the store wait in order and are saved when it lets go; they outlive the
# view that took them; quitting waits for them; an action never saved
# makes the exit status non-zero.
. "$top_srcdir/tests/lib.sh"
# these sessions are scripted for a cursor that stays on the rated step
# (tui_moves.sh tests the default, which moves on)
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null

# six ratings typed 150 ms apart behind a lock held for 3 s
hold_lock 6
STEPMARK_SCRIPT_PACE=150 STEPMARK_TRACE=trace1 tui_run '<Enter>
+
j
-
j
0
j
+
q
j
<Enter>
j
+
j
-
:save-display p1.txt' --annotator alice
wait $holder
ok "all six saved" test "$(grep -c '^saved' trace1)" = 6
ok "in the order typed" test "$(sed 's/.* solution=//' trace1 | tr '\n' ';')" = \
	"1 step 1 rated +1;1 step 2 rated -1;1 step 3 rated 0;1 step 4 rated +1;2 step 2 rated +1;2 step 3 rated -1;"
ok "the store agrees" test "$(sql "select group_concat(solution_id || ':' || name, ',') from (select * from action where annotator='alice' order by id)")" = \
	"1:rate step 1 +1,1:rate step 2 -1,1:rate step 3 0,1:rate step 4 +1,2:rate step 2 +1,2:rate step 3 -1"
ok "the screen said they waited" has p1.txt "6 actions waiting"

# an action queued in blind mode stays a blind one, however the mode
# stands when the store lets it through
hold_lock 4
STEPMARK_SCRIPT_PACE=150 tui_run ':set blind yes
:open 3
e
b
b
:save-display bl.txt' --annotator bram
wait $holder
ok "the screen showed blind mode off before the save" grep -q "blind mode off" bl.txt
ok "the queued first error keeps its blind origin" test "$(sql "SELECT origin FROM label WHERE annotator = 'bram' AND kind = 'first_error'")" = tui-blind

# quitting with actions waiting: the workbench waits for them, and says so
hold_lock 6
STEPMARK_SCRIPT_PACE=50 STEPMARK_TRACE=trace2 tui_run '<Enter>
jjj
e
q
q
:save-display p2.txt' --annotator bob
wait $holder
ok "saved before quitting" test "$(grep -c '^saved' trace2)" = 1
ok "the first error is bob's" test "$(sql "select value from label where annotator='bob' and kind='first_error'")" = 3
ok "quitting said it waits" has p2.txt "quitting once saved"

# quitting twice leaves without them: said on stderr, exit status 1
hold_lock 3
printf '<Enter>\n+\nq\nq\nq\n' >keys3
STEPMARK_SCRIPT=keys3 STEPMARK_SCRIPT_PACE=30 STEPMARK_NO_DISPLAY=1 TERM=xterm-256color \
	"$STEPMARK" --annotator carol >out3 2>err3
rc=$?
wait $holder
ok "an unsaved action makes the exit status non-zero" test "$rc" = 1
ok "and is named" has err3 "not saved: rate-good on step 1 of solution 1"
ok "carol has no label" test "$(sql "select count(*) from label where annotator='carol'")" = 0
finish
