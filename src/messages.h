/* messages.h - chat-message trajectories as steps (the generic mapping's
 * --messages) */
#ifndef SM_MESSAGES_H
#define SM_MESSAGES_H

#include "fmt.h"

/* The steps of rec's message list (field r->o->f_messages): one message a
 * step, its agent from r->o->f_agent ("name", "role" or a field; NULL:
 * the name, else the role), tool calls written after the content as
 * "[tool call NAME id=ID] ARGUMENTS" lines, a tool result's agent the
 * tool its call named; what links them in it->meta ("messages": {step:
 * {tool_call_id, tool_calls}}). The task is the first user message when
 * it->problem is not set. -1 with the reason in r->err. */
int messages_read(struct rd *r, const struct jnode *rec, struct item *it);
/* Message i's content as text, in r's arena: a string, a list of parts
 * (their texts joined by newlines, another part as "[its type]"), or null
 * (""). NULL with the reason in r->err for another type; b is scratch. */
const char *messages_content(struct rd *r, const struct jnode *c, size_t i, struct buf *b);

#endif
