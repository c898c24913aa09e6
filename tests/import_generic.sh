# import_generic.sh - the field mapping serves BIG-Bench-Mistake, MR-GSM8K
# and PRMBench by options alone (records shaped as FORMATS.md describes;
# the invocations are read from the EXAMPLES of stepmark(1) and run as
# they are written there)
. "$top_srcdir/tests/lib.sh"

# man_example FILE: the "stepmark import FILE ..." example of the man page
man_example() {
	man_commands | grep "^stepmark import $1 " >example.txt
	[ "$(wc -l <example.txt)" = 1 ] || { echo "not one example for $1" >&2; return 1; }
	sed 's/^stepmark //' example.txt
}

cat >bbm.jsonl <<'J'
{"input": "Sort: b a c", "steps": ["Thought 1: the letters are b, a, c.", "Thought 2: sorted: a, c, b.", "Thought 3: so a c b."], "answer": "a c b", "target": "a b c", "mistake_index": 1}
{"input": "Sort: y x", "steps": ["Thought 1: y and x.", "Thought 2: sorted: x y."], "answer": "x y", "target": "x y", "mistake_index": null}
J
expect_rc 0 "BIG-Bench-Mistake, as in stepmark(1)" sm $(man_example bbm.jsonl)
ok "first errors 1 and none" test "$(sql "select group_concat(value) from (select value from label where kind='first_error' order by solution_id)")" = "1,-1"
ok "answers graded against the target" test "$(sql "select group_concat(correct) from (select correct from solution order by id)")" = "0,1"

cat >mr-gsm8k.jsonl <<'J'
{"uuid": "mr-1", "question": "Tom has 3 bags of 4 apples. How many apples?", "ground_truth_solution": "3*4=<<3*4=12>>12\n#### 12", "ground_truth_answer": 12, "model_output_steps": ["Step 1: 3 bags of 4 is 3+4 = 7.", "Step 2: The answer is 7."], "model_output_solution_first_error_step": 1, "model_output_solution_first_error_reason": "adds instead of multiplying"}
J
expect_rc 0 "MR-GSM8K, as in stepmark(1)" sm $(man_example mr-gsm8k.jsonl)
ok "1-based first error" test "$(sql "select value from label l join solution s on s.id=l.solution_id where s.ext_key='mr-1' and kind='first_error'")" = 0
ok "numeric gold kept as text" test "$(sql "select gold_answer from problem p join solution s on s.problem_id=p.id where s.ext_key='mr-1'")" = 12
ok "reason kept as a note" test "$(sql "select text from label where kind='note'")" = "adds instead of multiplying"
ok "reference kept" test "$(sql "select count(*) from problem where reference like '%#### 12'")" = 1
ok "wrong answer graded" test "$(sql "select correct from solution where ext_key='mr-1'")" = 0

cat >prmbench.jsonl <<'J'
{"idx": "pb-7", "modified_question": "Compute 2^3.", "modified_process": ["2^3 = 2*2*2.", "2*2*2 = 6.", "So 6."], "error_steps": [3, 2], "reason": "2*2*2 is 8", "classification": "calculation"}
{"idx": "pb-8", "modified_question": "Compute 1+1.", "modified_process": ["1+1 = 2."], "error_steps": [], "reason": "", "classification": "none"}
{"idx": "pb-7", "modified_question": "Compute 2^3.", "modified_process": ["2^3 = 2*2*2.", "2*2*2 = 8.", "So 9."], "error_steps": [3], "reason": "8 is not 9", "classification": "counterfactual"}{"idx": "pb-9", "modified_question": "Compute 3*3.", "modified_process": ["3*3 = 9.", "9 = 3*3 = 9.", "So 9."], "error_steps": [2], "reason": "says it twice", "classification": "redundency"}
J
expect_rc 0 "PRMBench, as in stepmark(1)" sm $(man_example prmbench.jsonl)
ok "every record imported: idx and classification make the key" has out "4 solutions"
ok "the minimum of the list counts" test "$(sql "select value from label l join solution s on s.id=l.solution_id where s.ext_key='pb-7:calculation' and kind='first_error'")" = 1
ok "an empty list is no error" test "$(sql "select value from label l join solution s on s.id=l.solution_id where s.ext_key='pb-8:none' and kind='first_error'")" = -1
# the classification kept as the category of every error step, by the
# math taxonomy's key (PRMBench's redundency [sic] is redundant), the
# data's label like the others (annotator and origin the data set's)
cat_of() { sql "select group_concat(step_idx || ':' || text || ':' || coalesce(value, 'unsaid') || ':' || annotator || ':' || origin, ' ') from (select * from label l join solution s on s.id=l.solution_id where s.ext_key='$1' and kind='category' order by step_idx)"; }
ok "each error step's category" test "$(cat_of pb-7:calculation)" = "1:calculation:unsaid:prmbench:prmbench 2:calculation:unsaid:prmbench:prmbench"
ok "a class of its own" test "$(cat_of pb-7:counterfactual)" = "2:counterfactual:unsaid:prmbench:prmbench"
ok "a class mapped onto math's key" test "$(cat_of pb-9:redundency)" = "1:redundant:unsaid:prmbench:prmbench"
ok "no error step, no category" test -z "$(cat_of pb-8:none)"
expect_rc 1 "--category without --first-error" sm import prmbench.jsonl --problem modified_question --steps modified_process --category classification --dataset pbx
ok "says why" has err "--category is the kind of the error steps: it needs --first-error FIELD"
printf '%s\n' '{"q": "x", "s": ["a", "b"], "e": [1], "c": "not a key"}' >badcat.jsonl
expect_rc 1 "a category that is no key" sm import badcat.jsonl --problem q --steps s --first-error e --category c --dataset badcat
ok "names the field and value" has err 'field "c": "not a key" is not a category'"'"'s key'

# one text cut into steps by a PCRE2 pattern; dotted paths
printf '%s\n' '{"q": {"text": "What is 6*7?"}, "sol": "Step 1: 6*7 = 42.\nStep 2: The answer is 42.", "fe": null}' >split.jsonl
expect_rc 0 "--split" sm import split.jsonl --problem q.text --steps sol --split '\n(?=Step \d+:)' --first-error fe
ok "two steps" test "$(sql "select count(*) from step t join solution s on s.id=t.solution_id join dataset d on d.id=s.dataset_id where d.name='split'")" = 2
ok "second step text" test "$(sql "select text from step t join solution s on s.id=t.solution_id join dataset d on d.id=s.dataset_id where d.name='split' and idx=1")" = "Step 2: The answer is 42."
expect_rc 2 "a bad pattern" sm import split.jsonl --problem q.text --steps sol --split '(' --dataset split2
ok "names the pattern error" has err "--split: missing closing parenthesis"
expect_rc 1 "text steps without --split" sm import split.jsonl --problem q.text --steps sol --dataset split3
ok "asks for --split" has err 'split.jsonl:1: field "sol" is one text: give --split PATTERN'
expect_rc 1 "generic needs a mapping" sm import split.jsonl --format generic
ok "says which" has err "needs at least --problem FIELD and --steps FIELD"

# out of range and wrong types
printf '%s\n' '{"p": "x", "s": ["a", "b"], "e": 5}' '{"p": "x", "s": ["a"], "e": "two"}' '{"p": 3, "s": ["a"], "e": 0}' >bad.jsonl
expect_rc 1 "bad first errors" sm import bad.jsonl --problem p --steps s --first-error e --dataset bad
ok "out of range" has err "bad.jsonl:1: first error 5 is outside the 2 steps (0-based)"
ok "a string index" has err 'bad.jsonl:2: field "e" must be an integer, null or a list, not a string'
ok "a number where text is wanted is taken as text" test "$(grep -c 'bad.jsonl:3' err)" = 0

# chat-message trajectories: one message a step, its agent, tool calls
# linked to their results
AM="$FIXTURES/agent_messages.jsonl"
expect_rc 0 "messages" sm import "$AM" --messages messages --id id --gold answer --first-error mistake --dataset agents
ok "one step per message" has out "2 solutions (11 steps) imported as generic into data set \"agents\""
step_of() { sql "select agent || '|' || role || '|' || replace(text, char(10), ' / ') from step t join solution s on s.id = t.solution_id where s.ext_key = '$1' and t.idx = $2"; }
ok "no name: the role is the agent" test "$(step_of weather-1 1)" = "user|user|What will the temperature be in Paris tomorrow, in Celsius?"
ok "a tool call after a null content" test "$(step_of weather-1 2)" = 'assistant|assistant|[tool call get_forecast id=call_1] {"city": "Paris", "days": 1}'
ok "a result speaks for the tool called" test "$(step_of weather-1 3)" = 'get_forecast|tool|{"high_f": 64, "low_f": 52}'
ok "content parts joined" test "$(step_of weather-1 4)" = "assistant|assistant|Tomorrow's high in Paris is 64 degrees, so about 64 C."
ok "the name is the agent" test "$(step_of team-2 1)" = "Planner|assistant|Ask the researcher for Mars's moons, then add five."
ok "two calls, arguments as an object" test "$(step_of team-2 2)" = 'Researcher|assistant|[tool call search id=s1] {"q":"moons of Mars"} / [tool call search id=s2] {"q":"Phobos Deimos"}'
ok "the task: the first user message" test "$(sql "select p.text from problem p join solution s on s.problem_id = p.id where s.ext_key = 'team-2'")" = "How many moons does Mars have, plus five?"
ok "each result linked to its call" test "$(sql "select json_extract(meta, '\$.messages.4.tool_call_id') || json_extract(meta, '\$.messages.2.tool_calls[1].function.name') from solution where ext_key = 'team-2'")" = "s2search"
ok "the first error on a message" test "$(sql "select value from label l join solution s on s.id = l.solution_id where s.ext_key = 'weather-1'")" = 4
expect_rc 0 "--agent role" sm import "$AM" --messages messages --id id --agent role --dataset agents-roles
ok "the role, not the name" test "$(sql "select agent from step t join solution s on s.id = t.solution_id join dataset d on d.id = s.dataset_id where d.name = 'agents-roles' and s.ext_key = 'team-2' and t.idx = 1")" = assistant
printf '%s\n' '{"m": [{"role": "user", "content": "q"}, {"role": "tool", "tool_call_id": "nope", "content": "x"}]}' \
	'{"m": [{"role": "user", "content": "q"}, {"content": "no role"}]}' \
	'{"m": [{"role": "assistant", "content": "no task"}]}' \
	'{"m": [{"role": "user", "content": 5}]}' >badmsg.jsonl
expect_rc 1 "bad messages" sm import badmsg.jsonl --messages m --dataset badmsg
ok "a result of no call" has err 'badmsg.jsonl:1: message 1 answers tool call "nope", which no earlier message made'
ok "a message without a role" has err "badmsg.jsonl:2: message 1 has no role"
ok "no task" has err "badmsg.jsonl:3: no --problem field and no user message to take the task from"
ok "a content of another type" has err "badmsg.jsonl:4: message 0: content must be a string, a list of parts or null, not number"
expect_rc 1 "--steps and --messages" sm import badmsg.jsonl --messages m --steps s --problem p --dataset badmsg
ok "says one or the other" has err "takes --steps FIELD or --messages FIELD, not both"
finish
