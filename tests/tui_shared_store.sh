#!/bin/sh
# Two annotators on one store, each in a real terminal, while a large
# import writes to the same store: both work, neither ever shows
# "database is locked", each sees the other's labels when it refreshes,
# and nothing either was told is saved is lost.
. "$top_srcdir/tests/lib.sh"
# these sessions are scripted for a cursor that stays on the rated step
# (tui_moves.sh tests the default, which moves on)
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
python3 "$top_srcdir/tests/gen_big.py" --processbench 60000 >big.jsonl

start_tui alice --annotator alice
start_tui bob --annotator bob
ok "alice's workbench opens" wait_for alice "[queue]"
ok "bob's workbench opens" wait_for bob "[queue]"
tmx send-keys -t alice Enter
tmx send-keys -t bob Enter
ok "alice sees solution 1" wait_for alice "[solution]"
ok "bob sees solution 1" wait_for bob "[solution]"

# alice rates step 1, bob marks step 2 as the first error
tmx send-keys -t alice +
ok "alice saved" wait_for alice "saved: step 1 rated +1"
tmx send-keys -t bob j e
ok "bob saved" wait_for bob "saved: first error at step 2"

# each sees the other's labels (the store's change is noticed; R reloads)
tmx send-keys -t alice R
ok "alice sees bob's labels" wait_for alice "bob:-1"
tmx send-keys -t bob R
ok "bob sees alice's label" wait_for bob "alice:+1"

# another writer holds the lock for 3 s: the key is answered at once, the
# label waits in memory, is retried, and is saved when the lock goes
hold_lock 8
tmx send-keys -t alice j +
ok "alice is told it is not saved yet" wait_for alice "not saved yet: another writer holds the store; 1 action waiting" 10
tmx send-keys -t alice k
ok "keys still work meanwhile" wait_for alice "step 1/4" 10
tmx send-keys -t alice -
ok "a second label waits its turn" wait_for alice "2 actions waiting" 10
tmx send-keys -t alice j
ok "the status line counts them" wait_for alice "2 unsaved" 10
screen_of alice >>screens.txt
wait $holder
ok "alice's labels saved once the lock is gone" wait_for alice "saved: step 1 rated -1" 30
ok "in the order typed" test "$(sql "select group_concat(name, ',') from (select name from action where annotator='alice' order by id)")" = \
	"rate step 1 +1,rate step 2 +1,rate step 1 -1"

# now a long import holds the write lock; both keep labelling
sm import --dataset big big.jsonl >import.out 2>&1 &
imp=$!
sleep 0.3
tmx send-keys -t alice j +
tmx send-keys -t bob j j +
sleep 0.5
for who in alice bob; do
	screen_of $who >>screens.txt
done
wait $imp
ok "the import succeeded" has import.out "60000"
ok "alice's label saved after the import" wait_for alice "saved: step 3 rated +1" 60
ok "bob's label saved after the import" wait_for bob "saved: step 4 rated +1" 60
for who in alice bob; do
	screen_of $who >>screens.txt
done
ok "nobody saw database is locked" sh -c '! grep -qi "locked" screens.txt'
ok "alice's labels stored" test "$(sql "select count(*) from label where annotator='alice' and kind='rating'")" = 4
ok "bob's labels stored" test "$(sql "select count(*) from label where annotator='bob' and kind='rating' and value = 1 and step_idx = 3")" = 1
ok "integrity_check" test "$(sql 'pragma integrity_check')" = ok
finish
