/* actions.h - every action and every colour area, defined once. The enum,
 * the names used by `bind`, the help screen and the man pages' lists all
 * come from these tables (tests/tui_config.sh checks the man pages). */
#ifndef SM_ACTIONS_H
#define SM_ACTIONS_H

/* _(ID, "name", "help text") */
#define ACTIONS(_) \
	_(QUIT, "quit", "Close the view; from the queue, quit") \
	_(QUIT_ALL, "quit-all", "Quit stepmark") \
	_(HELP, "help", "Show the keys and the actions they run") \
	_(MOVE_DOWN, "move-down", "Next line or step") \
	_(MOVE_UP, "move-up", "Previous line or step") \
	_(PAGE_DOWN, "page-down", "One screen down") \
	_(PAGE_UP, "page-up", "One screen up") \
	_(MOVE_FIRST, "move-first", "First line or step") \
	_(MOVE_LAST, "move-last", "Last line or step") \
	_(SCROLL_DOWN, "scroll-down", "Scroll the text one line down") \
	_(SCROLL_UP, "scroll-up", "Scroll the text one line up") \
	_(PROBLEM_DOWN, "problem-down", "Scroll the problem pane a page down") \
	_(PROBLEM_UP, "problem-up", "Scroll the problem pane a page up") \
	_(REFERENCE_DOWN, "reference-down", "Scroll the reference pane a page down") \
	_(REFERENCE_UP, "reference-up", "Scroll the reference pane a page up") \
	_(NEXT_SKIPPED, "next-skipped", "The reference pane to the next reference step no step of the solution restates (skipped; stepmark align links them), wrapping") \
	_(SHOW_PROBLEM, "show-problem", "The problem and the reference in the pager (full screen, searchable)") \
	_(GUIDELINES, "guidelines", "The labelling guidelines in the pager, searchable") \
	_(ENTER, "enter", "Open the selected solution") \
	_(NEXT_SOLUTION, "next-solution", "Next solution in the queue") \
	_(PREV_SOLUTION, "prev-solution", "Previous solution in the queue") \
	_(NEXT_UNLABELLED, "next-unlabelled", "Next solution you have not decided") \
	_(NEXT_DISAGREEMENT, "next-disagreement", "Next solution with a disagreement") \
	_(PREV_DISAGREEMENT, "prev-disagreement", "Previous solution with a disagreement") \
	_(RATE_GOOD, "rate-good", "Rate the step +1") \
	_(RATE_NEUTRAL, "rate-neutral", "Rate the step 0") \
	_(RATE_BAD, "rate-bad", "Rate the step -1") \
	_(RATE_CLEAR, "rate-clear", "Clear your rating of the step") \
	_(FIRST_ERROR, "first-error", "The step is the first error (earlier steps +1 unless rated 0)") \
	_(NO_ERROR, "no-error", "The solution has no error (unrated and -1 steps +1)") \
	_(ACCEPT, "accept", "Accept one source's marks up to its first error as your labels") \
	_(FINISH, "finish", "Set the finish reason (PRM800K's four)") \
	_(NOTE, "note", "Write a note on the step") \
	_(WRITE_STEP, "write-step", "Write the right step: the step (or the one you wrote for it) in $VISUAL, $EDITOR or the inline editor, saved as your correction rated +1") \
	_(UNDO, "undo", "Undo your last action on the solution") \
	_(REDO, "redo", "Redo what undo took back") \
	_(SEARCH, "search", "Search forward (PCRE2) in steps and problems") \
	_(SEARCH_BACK, "search-back", "Search backward") \
	_(FIND_NEXT, "find-next", "Next match") \
	_(FIND_PREV, "find-prev", "Previous match") \
	_(PROMPT, "prompt", "Type a command") \
	_(FILTER, "filter-cycle", "Queue filter: all, to do, mine, disagreements...") \
	_(SORT, "sort-cycle", "Queue order: by id, least labelled first") \
	_(DATASET, "dataset-cycle", "Queue data set: all, then each") \
	_(RATIONALE, "rationale", "Show the suggestions' rationales (the judge's text), MC's figures and rollouts kept") \
	_(REFERENCE, "toggle-reference", "Reference pane: right, bottom, hidden") \
	_(BLIND, "toggle-blind", "Blind mode: off, suggestions hidden, all hidden, in turn") \
	_(REFRESH, "refresh", "Reload from the store and redraw") \
	_(FETCH, "fetch", "Fetch suggestions for the solution now (the providers of set fetch)") \
	_(AUDIT, "audit", "Open the audit: each source against the truth, agreement, who passed on gold") \
	_(NEXT_MARK, "next-mark", "To the next step named as the first error (yours, others', sources')") \
	_(TOGGLE_FOLD, "toggle-fold", "A trace: the long turn at the cursor shown whole, or folded to its first lines again") \
	_(TOGGLE_FOLD_ALL, "toggle-fold-all", "A trace: every long turn shown whole, or folded again") \
	_(BLAME_AGENT, "blame-agent", "A trace: blame your decisive error on another agent than its turn's (Tab completes the names)") \
	_(NEXT_HANDOFF, "next-handoff", "A trace: to the next turn where another agent acts, wrapping") \
	_(PREV_HANDOFF, "prev-handoff", "A trace: to the previous hand-off, wrapping") \
	_(NEXT_SAME_AGENT, "next-same-agent", "A trace: to the next turn of the current turn's agent") \
	_(PREV_SAME_AGENT, "prev-same-agent", "A trace: to the previous turn of the current turn's agent") \
	_(NEXT_TOOL_CALL, "next-tool-call", "A trace: to the next turn that calls a tool or holds code") \
	_(NEXT_FAILED, "next-failed-output", "A trace: to the next output that failed (an exit code, a traceback, an HTTP error)") \
	_(TOGGLE_LATEX, "toggle-latex", "LaTeX shown as Unicode math, or raw") \
	_(ALTERNATIVES, "toggle-alternatives", "Show each step's alternatives (PRM800K's other completions) under it, to rate them") \
	_(ROLLOUTS, "toggle-rollouts", "Show the rollouts MC kept of each step's prefix under it: how they ended, beside the gold answer") \
	_(FLAG, "flag", "Flag the step: you cannot judge it (again: take the flag back)") \
	_(CATEGORY, "category", "Name the kind of the step's error from the taxonomy, then whether a later step recovered (on a step you rated -1)") \
	_(REVIEW, "review", "Review the solution: the annotators side by side, to adjudicate") \
	_(ADJUDICATE, "adjudicate", "Review: the step is the first error, for a reason (outranks everyone in consensus)") \
	_(ADJUDICATE_NONE, "adjudicate-no-error", "Review: the solution has no error, for a reason") \
	_(ADJUDICATE_PICK, "adjudicate-pick", "Review: take one annotator's first error, for a reason")

/* _(ID, "name", "what it colours") */
#define AREAS(_) \
	_(DEFAULT, "default", "everything else") \
	_(TITLE, "title", "the top line") \
	_(STATUS, "status", "the status line") \
	_(STATUS_ERROR, "status-error", "an error in the status line") \
	_(CURSOR, "cursor", "the selected line or step") \
	_(HEADER, "header", "column headers and section titles") \
	_(INDEX, "index", "step numbers and solution ids") \
	_(DATASET, "dataset", "data set names") \
	_(PROBLEM, "problem", "the problem text") \
	_(GOOD, "good", "+1 ratings and correct answers") \
	_(NEUTRAL, "neutral", "0 ratings") \
	_(BAD, "bad", "-1 ratings, first errors and wrong answers") \
	_(AFTER, "after-error", "steps after the first error") \
	_(NOTE, "note", "notes") \
	_(PRM, "prm", "PRM reward bars") \
	_(JUDGE, "judge", "the judge's marks") \
	_(MC, "mc", "Monte Carlo estimates") \
	_(CALC, "calc", "tool-check marks") \
	_(OTHERS, "others", "other annotators' labels") \
	_(GOLD, "gold", "the gold answer") \
	_(REFERENCE, "reference", "the reference solution") \
	_(ALIGNED, "aligned", "reference steps aligned to the current step") \
	_(MATCH, "match", "search matches") \
	_(DISAGREE, "disagree", "disagreement markers") \
	_(ESCAPE, "escape", "control characters shown as escapes") \
	_(HELP_KEY, "help-key", "keys in the help") \
	_(HINT_KEY, "hint-key", "keys in the hint bar") \
	_(HINT, "hint", "the hint bar") \
	_(DIM, "dim", "hidden or secondary text")

#define ACTION_ENUM(id, name, help) A_##id,
enum action { A_NONE, ACTIONS(ACTION_ENUM) A_COUNT };
#define AREA_ENUM(id, name, help) C_##id,
enum area { AREAS(AREA_ENUM) C_COUNT };

struct action_info {
	const char *name, *help;
};
extern const struct action_info action_table[A_COUNT];
extern const struct action_info area_table[C_COUNT];
/* The area of this name, -1 none. */
int area_find(const char *name);

#endif
