#!/bin/sh
# Every byte stepmark writes to a terminal goes through the inert renderer:
# CSV and JSON exported to a terminal, messages naming an evil file name,
# and a bidi control after another character in the workbench. Written to
# a file, an export stays exact. Checked in a real terminal (tmux): the
# pane's title must not change, and the escapes must show as text.
. "$top_srcdir/tests/lib.sh"
need_tmux

python3 - <<'PY'
import json
steps = ["clipboard \x1b]52;c;cHduZWQ=\x07 and title \x1b]0;pwned\x07 end",
         "bidi x\u202eAFTER and C1 \u009b31m done"]
rec = {"problem": "evil problem \x1b[2J", "steps": steps, "label": -1}
open("evil.jsonl", "w").write(json.dumps(rec) + "\n")
PY
sm import --problem problem --steps steps --first-error label --dataset evil evil.jsonl >/dev/null

# run CMD in a fresh pane; wait until it ends. The new session starts
# before the old one is killed: killing a server's last session makes it
# exit, and a session started meanwhile can be lost with it.
pane=0
in_pane() {
	pane=$((pane + 1))
	tmx new-session -d -s "p$pane" -x 200 -y 50 "cd '$TMP' && $*; echo DONE; sleep 600"
	[ $pane -gt 1 ] && tmx kill-session -t "p$((pane - 1))" 2>/dev/null
	wait_for "p$pane" DONE 20 >/dev/null
	tmx capture-pane -p -t "p$pane" -S -100 >pane.txt
	tmx display -p -t "p$pane" '#{pane_title}' >title.txt
}

in_pane "env STEPMARK_DB='$STEPMARK_DB' '$STEPMARK' export --format csv"
ok "CSV on a terminal shows the OSC 52 as text" has pane.txt '\x1b]52;c;cHduZWQ=\x07'
ok "and the C1 CSI" has pane.txt '\xc2\x9b31m'
ok "the title is unchanged" sh -c '! grep -q pwned title.txt'
in_pane "env STEPMARK_DB='$STEPMARK_DB' '$STEPMARK' export --format trl"
ok "JSON on a terminal too" sh -c '! grep -q pwned title.txt && grep -q "u001b\|\\\\x1b" pane.txt'

# to a file: exact
sm export --format csv -o out.csv 2>/dev/null
ok "to a file, CSV keeps every byte" python3 -c '
import sys
data = open("out.csv", "rb").read()
assert b"\x1b]52;c;cHduZWQ=\x07" in data and "\u202e".encode() in data
'

# an evil file name in every message
evil="$(printf 'name\033]0;pwned\007.jsonl')"
printf '[]\n' >"$evil"
in_pane "env STEPMARK_DB='$STEPMARK_DB' '$STEPMARK' import \"\$(printf 'name\\033]0;pwned\\007.jsonl')\""
ok "no records: the name is inert" has pane.txt 'name\x1b]0;pwned\x07.jsonl'
ok "the title is unchanged" sh -c '! grep -q pwned title.txt'
printf '{"problem": 3}\n' >"$evil"
in_pane "env STEPMARK_DB='$STEPMARK_DB' '$STEPMARK' import --problem problem --steps steps \"\$(printf 'name\\033]0;pwned\\007.jsonl')\""
ok "a bad record: the name is inert" has pane.txt 'name\x1b]0;pwned\x07.jsonl:1:'
ok "the title is unchanged" sh -c '! grep -q pwned title.txt'
printf 'not json\n' >"$evil"
in_pane "env STEPMARK_DB='$STEPMARK_DB' '$STEPMARK' import \"\$(printf 'name\\033]0;pwned\\007.jsonl')\""
ok "detection: the name is inert" has pane.txt 'name\x1b]0;pwned\x07.jsonl'
ok "the title is unchanged" sh -c '! grep -q pwned title.txt'

# the workbench: a bidi control after a character is shown, not obeyed
tui_run ':dataset evil
<Enter>
:save-display w.txt' --annotator alice
ok "the bidi override is shown as an escape" has w.txt 'bidi x\u202eAFTER'
ok "no raw override on the screen" sh -c '! grep -q "$(printf "\342\200\256")" w.txt'
finish
