# import_whowhen.sh - Who&When logs in (a directory of files), out, and back
. "$top_srcdir/tests/lib.sh"
need_shared who-when/Hand-Crafted/3.json
WW="$SHARED_DATA/who-when"

expect_rc 0 "import the Algorithm-Generated directory" sm import "$WW/Algorithm-Generated"
ok "summary" has out '24 solutions (223 steps) imported as who-when into data set "Algorithm-Generated"'
expect_rc 0 "import the Hand-Crafted directory (a trailing slash)" sm import "$WW/Hand-Crafted/"
ok "summary, the directory's name" has out '8 solutions (352 steps) imported as who-when into data set "Hand-Crafted"'
ok "32 logs" test "$(sql 'select count(*) from solution')" = 32
# files in numeric order of their names: 13 before 100
ok "numeric order" test "$(sql "select group_concat(ext_key, ' ') from (select ext_key from solution s join dataset d on d.id = s.dataset_id where d.name = 'Algorithm-Generated' order by s.id limit 3)")" = "13 19 24"
# the agent: name in Algorithm-Generated, the role up to " (" in Hand-Crafted
ok "Algorithm-Generated: the agent is the name" test "$(sql "select agent || '|' || role from step t join solution s on s.id = t.solution_id join dataset d on d.id = s.dataset_id where d.name = 'Algorithm-Generated' and s.ext_key = '100' and t.idx = 2")" = "Movie_Expert|assistant"
ok "Hand-Crafted: a hand-off is the Orchestrator's" test "$(sql "select agent || '|' || role from step t join solution s on s.id = t.solution_id join dataset d on d.id = s.dataset_id where d.name = 'Hand-Crafted' and s.ext_key = '3' and t.idx = 3")" = "Orchestrator|Orchestrator (-> WebSurfer)"
# the data's attribution: a first-error label naming the agent, the reason its text
ok "32 attributions by the data sets" test "$(sql "select count(*) from label where kind = 'first_error' and agent is not null and text is not null and annotator in ('Algorithm-Generated', 'Hand-Crafted')")" = 32
ok "log 3: step 32, WebSurfer" test "$(sql "select value || '|' || agent from label l join solution s on s.id = l.solution_id join dataset d on d.id = s.dataset_id where d.name = 'Hand-Crafted' and s.ext_key = '3'")" = "32|WebSurfer"
ok "a decisive turn rates no turn before it" test "$(sql "select sum(labelled) from summary")" = 32
ok "the queue knows a trace" test "$(sql "select count(*) from summary where flags & 64")" = 32
ok "the question and the ground truth" test "$(sql "select gold_answer from problem p join solution s on s.problem_id = p.id join dataset d on d.id = s.dataset_id where d.name = 'Hand-Crafted' and s.ext_key = '3'")" = "Holabird"
ok "each agent's system prompt kept" test "$(sql "select json_type(meta, '\$.system_prompt') from solution s join dataset d on d.id = s.dataset_id where d.name = 'Algorithm-Generated' and s.ext_key = '100'")" = object

expect_rc 0 "importing a directory again is a no-op" sm import "$WW/Hand-Crafted"
ok "says nothing to do" has out "nothing to do"

# out and back: the export is the data, field for field
expect_rc 0 "export Hand-Crafted" sm export --format who-when --dataset Hand-Crafted -o hc.jsonl
ok "export counts logs" has err "8 solutions exported as who-when (8 logs)"
expect_rc 0 "export Algorithm-Generated" sm export --format who-when --dataset Algorithm-Generated -o ag.jsonl
ok "every field of every log as the data has it" python3 -c '
import json, glob, os, sys
ww = sys.argv[1]
for sub, path in (("Hand-Crafted", "hc.jsonl"), ("Algorithm-Generated", "ag.jsonl")):
    got = {}
    for line in open(path):
        r = json.loads(line)
        got[r.pop("id")] = r
    files = glob.glob(os.path.join(ww, sub, "*.json"))
    assert len(got) == len(files), (sub, len(got), len(files))
    for f in files:
        want = json.load(open(f))
        k = os.path.basename(f)[:-5]
        assert got[k] == want, (sub, k, [x for x in want if want[x] != got[k].get(x)])
' "$WW"

# the JSON Lines export reads back: ids from "id", the same attributions
export STEPMARK_DB="$TMP/back.db"
expect_rc 0 "re-import the export" sm import hc.jsonl --dataset Hand-Crafted
atts="select group_concat(a, ' ') from (select s.ext_key || ':' || l.value || ':' || l.agent as a from label l join solution s on s.id = l.solution_id join dataset d on d.id = s.dataset_id where d.name = 'Hand-Crafted' order by s.ext_key)"
ok "the same attributions" test "$(sql "$atts")" = "$(sqlite3 "$TMP/store.db" "$atts")"

# a predictor's attributions in the same shape: a source's suggestions
sed 's/"mistake_step":"32"/"mistake_step":"31"/' hc.jsonl >pred.jsonl
expect_rc 0 "--as-source reads attributions" sm import pred.jsonl --dataset Hand-Crafted --as-source aao
ok "a suggestion per log, with its agent and reason" test "$(sql "select count(*) from suggestion where source = 'aao' and step_idx is null and agent is not null and rationale is not null")" = 8
ok "no per-step values from a decisive error" test "$(sql "select count(*) from suggestion where source = 'aao' and step_idx is not null")" = 0
expect_rc 0 "export the source's attributions" sm export --format who-when --dataset Hand-Crafted --source aao -o src.jsonl
ok "its step for log 3" python3 -c '
import json, sys
r = [json.loads(l) for l in open("src.jsonl") if json.loads(l)["id"] == "3"][0]
assert (r["mistake_step"], r["mistake_agent"]) == ("31", "WebSurfer"), r
'

# bad records name their file and line; nothing is stored
export STEPMARK_DB="$TMP/bad.db"
mkdir logs
cp "$WW/Hand-Crafted/6.json" logs/1.json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["mistake_step"]="99"; json.dump(d, open("logs/2.json","w"), indent=1)' "$WW/Hand-Crafted/6.json"
expect_rc 1 "a step outside the log" sm import logs
ok "names the file" has err "logs/2.json:1: mistake_step 99 is outside the 8 turns of history (0 .. 7)"
ok "nothing stored" test ! -e bad.db
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["mistake_step"]="x5"; json.dump(d, open("logs/2.json","w"))' "$WW/Hand-Crafted/6.json"
expect_rc 1 "a step that is not a number" sm import logs
ok "says so" has err 'logs/2.json:1: mistake_step "x5" is not an integer'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["mistake_agent"]="Nobody"; json.dump(d, open("logs/2.json","w"))' "$WW/Hand-Crafted/6.json"
expect_rc 0 "an agent that acts in no turn" sm import logs
ok "is a warning naming the file" has err 'logs/2.json:1: warning: mistake_agent "Nobody" acts in no turn of the log'
ok "ids from the files' names" test "$(sql 'select group_concat(ext_key) from solution')" = "1,2"
mkdir empty
expect_rc 1 "a directory without *.json" sm import empty
ok "says so" has err "empty: a directory with no *.json file; nothing imported"

# several records in one file without ids: FILE, then FILE:LINE
export STEPMARK_DB="$TMP/lines.db"
python3 -c 'import json; [print(json.dumps({k: v for k, v in json.loads(l).items() if k != "id"})) for l in list(open("hc.jsonl"))[:2]]' >two.jsonl
expect_rc 0 "JSON Lines without ids" sm import two.jsonl --format who-when
ok "keyed by file and line" test "$(sql 'select group_concat(ext_key) from solution')" = "two,two:2"
finish
