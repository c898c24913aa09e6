/* messages.c - chat-message trajectories as steps: one message a step,
 * its agent, its tool calls and the results that answer them */
#include "config.h"

#include <string.h>

#include "messages.h"

const char *messages_content(struct rd *r, const struct jnode *c, size_t i, struct buf *b)
{
	if (!c || c->type == J_NULL)
		return "";
	if (c->type == J_STR)
		return c->str;
	if (c->type != J_ARR) {
		rd_fail(r, "message %zu: content must be a string, a list of parts or null, not %s",
			i, jtype_name(c->type));
		return NULL;
	}
	buf_reset(b);
	for (const struct jnode *p = c->child; p; p = p->next) {
		const struct jnode *t = p->type == J_OBJ ? jget(p, "text") : p;
		if (t && t->type == J_STR) {
			if (b->len)
				buf_putc(b, '\n');
			buf_puts(b, t->str);
		} else if (p->type == J_OBJ && jget(p, "type") && jget(p, "type")->type == J_STR) {
			buf_printf(b, "%s[%s]", b->len ? "\n" : "", jget(p, "type")->str);
		}
	}
	return arena_strndup(r->a, b->data ? b->data : "", b->len);
}

static const char *str_of(const struct jnode *o, const char *key)
{
	const struct jnode *n = o ? jget(o, key) : NULL;
	return n && n->type == J_STR ? n->str : NULL;
}

/* "[tool call NAME id=ID] ARGUMENTS" lines after the content. */
static int put_calls(struct rd *r, const struct jnode *calls, size_t i, struct buf *b)
{
	if (!calls || calls->type == J_NULL)
		return 0;
	if (calls->type != J_ARR)
		return rd_fail(r, "message %zu: tool_calls must be a list, not %s", i,
			       jtype_name(calls->type));
	for (const struct jnode *c = calls->child; c; c = c->next) {
		const struct jnode *fn = c->type == J_OBJ ? jget(c, "function") : NULL;
		const char *name = str_of(fn, "name");
		if (!name)
			return rd_fail(r, "message %zu: a tool call without function.name", i);
		const char *id = str_of(c, "id");
		buf_printf(b, "%s[tool call %s%s%s]", b->len ? "\n" : "", name, id ? " id=" : "",
			   id ? id : "");
		const struct jnode *args = jget(fn, "arguments");
		if (args && args->type == J_STR)
			buf_printf(b, " %s", args->str);
		else if (args && args->type != J_NULL) {
			buf_putc(b, ' ');
			jwrite(b, args);
		}
	}
	return 0;
}

/* The tool a result answers: the name of the call with its id, earlier
 * in the trajectory. */
static const char *called_tool(const struct jnode *msgs, const struct jnode *upto, const char *id)
{
	const char *name = NULL;
	for (const struct jnode *m = msgs->child; m && m != upto; m = m->next) {
		const struct jnode *calls = m->type == J_OBJ ? jget(m, "tool_calls") : NULL;
		for (const struct jnode *c = calls && calls->type == J_ARR ? calls->child : NULL; c;
		     c = c->next) {
			const char *cid = str_of(c, "id");
			if (cid && !strcmp(cid, id))
				name = str_of(jget(c, "function"), "name");
		}
	}
	return name;
}

static const char *agent_of(const struct jnode *m, const char *field, const char *role)
{
	if (!field) { /* the default: the name, else the role */
		const char *name = str_of(m, "name");
		return name ? name : role;
	}
	return strcmp(field, "role") ? str_of(m, field) : role;
}

static int one_message(struct rd *r, const struct jnode *msgs, const struct jnode *m, size_t i,
		       struct step *st, struct buf *b, struct buf *meta)
{
	if (m->type != J_OBJ)
		return rd_fail(r, "message %zu must be an object, not %s", i, jtype_name(m->type));
	const char *role = str_of(m, "role");
	if (!role)
		return rd_fail(r, "message %zu has no role", i);
	const char *text = messages_content(r, jget(m, "content"), i, b);
	if (!text)
		return -1;
	struct buf t = {0};
	buf_puts(&t, text);
	int rc = put_calls(r, jget(m, "tool_calls"), i, &t);
	st->text = arena_strndup(r->a, t.data ? t.data : "", t.len);
	buf_free(&t);
	if (rc < 0)
		return -1;
	st->chosen = -1;
	st->role = role;
	st->agent = agent_of(m, r->o->f_agent, role);
	const char *call = str_of(m, "tool_call_id");
	const char *tool = call ? called_tool(msgs, m, call) : NULL;
	if (call && !tool)
		return rd_fail(r, "message %zu answers tool call \"%.80s\", which no earlier message made",
			       i, call);
	if (tool && !str_of(m, "name") && (!r->o->f_agent || !strcmp(r->o->f_agent, "name")))
		st->agent = tool; /* a result speaks for the tool that was called */
	if (!st->agent)
		return rd_fail(r, "message %zu has no \"%s\" to name its agent", i, r->o->f_agent);
	/* what links calls and results, kept for the views and exports */
	const struct jnode *calls = jget(m, "tool_calls");
	if (call || (calls && calls->type == J_ARR)) {
		buf_printf(meta, "%s\"%zu\":{", meta->len > 1 ? "," : "", i);
		if (call) {
			wr_key(meta, "tool_call_id");
			buf_json_str(meta, call, strlen(call));
		}
		if (calls && calls->type == J_ARR) {
			if (call)
				buf_putc(meta, ',');
			wr_key(meta, "tool_calls");
			jwrite(meta, calls);
		}
		buf_putc(meta, '}');
	}
	return 0;
}

int messages_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	const char *f = r->o->f_messages;
	const struct jnode *msgs = strchr(f, '.') ? jpath(rec, f) : jget(rec, f);
	if (!msgs)
		return rd_fail(r, "field \"%s\" is missing", f);
	if (msgs->type != J_ARR)
		return rd_fail(r, "field \"%s\" must be a list of messages, not %s", f,
			       jtype_name(msgs->type));
	if (msgs->len == 0)
		return rd_fail(r, "field \"%s\" is empty", f);
	it->steps = rd_alloc(r, msgs->len * sizeof(*it->steps));
	struct buf b = {0}, meta = {0};
	buf_putc(&meta, '{');
	size_t i = 0;
	int rc = 0;
	for (const struct jnode *m = msgs->child; m && rc == 0; m = m->next, i++)
		rc = one_message(r, msgs, m, i, &it->steps[i], &b, &meta);
	it->nsteps = i;
	buf_putc(&meta, '}');
	if (rc == 0 && meta.len > 2) {
		struct buf w = {0};
		buf_puts(&w, "{\"messages\":");
		buf_add(&w, meta.data, meta.len);
		buf_putc(&w, '}');
		it->meta = arena_strndup(r->a, w.data, w.len);
		buf_free(&w);
	}
	/* no --problem: the first user message is the task */
	for (size_t k = 0; rc == 0 && !it->problem && k < it->nsteps; k++)
		if (!strcmp(it->steps[k].role, "user"))
			it->problem = it->steps[k].text;
	if (rc == 0 && !it->problem)
		rc = rd_fail(r, "no --problem field and no user message to take the task from");
	buf_free(&b);
	buf_free(&meta);
	return rc;
}
