/* trace.h - what a reader of an agent trace looks for in its turns:
 * hand-offs, tool calls, outputs that failed (no curses) */
#ifndef SM_TRACE_H
#define SM_TRACE_H

#include <stddef.h>
#include "item.h"

/* The kinds of turn the workbench moves between. */
enum trace_kind {
	TK_HANDOFF,   /* another agent acts than in the turn before */
	TK_SAME,      /* the agent of a given turn acts */
	TK_TOOL,      /* a tool is called: "[tool call ...]", a code block */
	TK_FAILED,    /* an output that failed: a non-zero exit code, a
		       * traceback, an HTTP error */
	TK_N
};

/* 1 when the item's turns name their agents (or, without its steps
 * loaded, when it->trace says so). */
int trace_is(const struct item *it);
/* 1 when turn i is of kind k (TK_SAME: by the agent of turn ref). */
int trace_turn_is(const struct item *it, size_t i, enum trace_kind k, size_t ref);
/* 1 when text reads as an output that failed. */
int trace_failed(const char *text);

#endif
