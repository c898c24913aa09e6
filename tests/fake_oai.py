#!/usr/bin/env python3
"""An OpenAI-compatible server on loopback for the tests and benchmarks.

It plays a policy over a data set whose first errors are known (JSON Lines
of {id, problem, steps, gold, first_error}, see sim_data.py):
  - a rollout (/v1/completions, or chat continuation) from a prefix that
    ends before the first error reaches the gold answer with probability
    p_good, from one at or after it with p_bad;
  - a judge (/v1/chat/completions) names the true first error with
    probability judge_acc, else another paragraph;
  - a PRM: /pooling rows [p_bad, p_good] per <extra_0>, and Math-Shepherd
    logprobs of + and - (completions with logprobs), noisy around the truth;
  - who failed and when (a chat prompt opening "A team of agents"): the
    decisive turn and agent of a log whose record has "agent" (the
    mistake agent) beside first_error (the decisive turn); all at once
    (Agent Name / Step Number lines), step by step (Yes or No for the
    turn asked) and binary (upper or lower half), each right with
    probability judge_acc (POST /control {"mode": {"attr_vague": true}}:
    replies that name nothing);
  - the reference-guided judge (a chat prompt holding "[Reference
    solution]"): JSON with links, verdicts and reasons per step, its first
    error right with probability judge_acc; POST /control {"mode":
    {"aj_styles": [...]}} gives the forms its replies take in turn: plain, fenced,
    trailing (commas), object ({"steps": [...]}), keyed ({"0": {...}}),
    from1 (steps numbered from 1), missing (a step left out), prose (no
    JSON).
Everything is seeded by --seed, the request's seed and the sample index.

Faults are injected on request: POST /control {"faults": [rule...],
"latency_ms": N}. A rule is {"fault": NAME, "times": N, "match": TEXT,
"retry_after": S, "retry_after_ms": MS}: the next N requests whose body
contains TEXT get the fault; or {"fault": NAME, "rate": R,
"max_per_request": K}: a share R of the requests, chosen by their bodies,
each body at most K times (a retrying client always finishes). Names: 500, 503, 429, 400, 401, 404, quota,
reset, truncate, malformed, error200, nullcontent, html, slow (adds
latency_ms of the rule), rows (a /pooling response one row short),
fewchoices. GET /stats gives counts; every request is logged (--log) as
one JSON line {path, hash, fault}.

Backends as they really behave: POST /control {"mode": {...}} (merged):
  "reasoning": true   OpenAI's reasoning models: HTTP 400 for max_tokens,
                      temperature or top_p
  "max_n": K          llama.cpp: n > K is HTTP 500 "Only one completion
                      choice is allowed"
  "logprobs": "llama" logprobs as {"content": [{token, logprob,
                      top_logprobs: [{token, logprob}]}]}
  "pooling_task": "require" (400 unless task is token_classify) or
                  "reject" (400 for a task field, as older servers)
  "ratelimit": {"requests": N, "window_ms": W}: x-ratelimit-* headers on
                      every reply, 429 past N requests in a window
/stats counts the fields seen ("seen") and the 429s of the rate limit.

Usage: fake_oai.py --data FILE [--port-file F] [--seed S] [--p-good P]
       [--p-bad P] [--judge-acc A] [--latency-ms MS] [--key KEY] [--log F]
"""
import argparse
import asyncio
import hashlib
import json
import math
import os
import random
import re
import sys

A = None
RECORDS = []
BY_LINE = {}
STATE = {"faults": [], "latency_ms": 0, "requests": 0, "by_path": {}, "faults_served": {},
         "mode": {}, "seen": {}, "ratelimited": 0, "window": [0.0, 0]}
LOG = None
PENDING_CUT = []


def load(path):
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            RECORDS.append(r)
            key = r["problem"].strip().split("\n")[0].strip()
            BY_LINE.setdefault(key, []).append(r)


def find(text):
    """The record whose problem and most steps appear in text, and how
    many of its steps (in order) the text holds."""
    cands = []
    for line in text.split("\n"):
        s = line.strip()
        for pre in ("Problem: ", "Question: "):
            if s.startswith(pre):
                s = s[len(pre):]
        if s in BY_LINE:
            cands.extend(BY_LINE[s])
    best, best_k = None, -1
    for r in cands:
        k, at = 0, 0
        for st in r["steps"]:
            j = text.find(st, at)
            if j < 0:
                break
            k += 1
            at = j + len(st)
        if k > best_k:
            best, best_k = r, k
    return best, best_k


def rng_for(body, i):
    """Sample i of a request draws from seed + i, as vLLM seeds the samples
    of one request: n single requests with seeds seed, seed+1... get the
    samples one request of n gets."""
    h = hashlib.sha256(("%s|%s|%s" % (A.seed, int(body.get("seed", 0) or 0) + i,
                                       json.dumps(body.get("prompt", body.get("messages", body.get("input", ""))),
                                                  sort_keys=True))).encode()).hexdigest()
    return random.Random(int(h[:16], 16))


def wrong_answer(gold):
    try:
        return str(int(gold) + 1)
    except ValueError:
        return gold + "0"


def usage(body, n):
    return {"prompt_tokens": 50, "completion_tokens": 20 * max(n, 1), "total_tokens": 50 + 20 * max(n, 1)}


def rollout(body, text, n):
    r, k = find(text)
    choices = []
    for i in range(n):
        g = rng_for(body, i)
        if r is None:
            t = "I cannot continue this. The answer is \\boxed{0}."
        else:
            fe = r["first_error"]
            good = fe is None or fe < 0 or (k - 1) < fe
            p = A.p_good if good else A.p_bad
            ans = r["gold"] if g.random() < p else wrong_answer(r["gold"])
            t = " Continuing from here, we finish the computation.\nThe answer is \\boxed{%s}." % ans
        choices.append((t, "stop"))
    return choices


def judge(body, text, n):
    r, _ = find(text)
    npar = len(re.findall(r"<paragraph_\d+>", text))
    out = []
    for i in range(n):
        g = rng_for(body, i)
        if r is None:
            v = -1
        else:
            fe = r["first_error"] if r["first_error"] is not None else -1
            if g.random() < A.judge_acc or npar <= 1:
                v = fe
            else:
                others = [x for x in range(-1, npar) if x != fe]
                v = g.choice(others)
        out.append(("Let me check each paragraph in turn.\n"
                    "Paragraph 0 restates the problem.\n"
                    "Having checked them all, the earliest error is:\n\\boxed{%d}" % v, "stop"))
    return out


def attribute(body, text, n):
    """Who&When's three methods, answered from the record's truth."""
    r, _ = find(text)
    agents = re.findall(r"^\[turn (\d+)\] (.+?)(?: \(role: .*\))?:$", text, re.M)
    truth = r["first_error"] if r is not None and r.get("first_error") is not None else -1
    if "[Correct answer]" in text:
        STATE["seen"]["correct_answer"] = STATE["seen"].get("correct_answer", 0) + 1
    out = []
    for i in range(n):
        g = rng_for(body, i)
        right = g.random() < A.judge_acc
        m = re.search(r"Look at turn (\d+), the last one shown", text)
        h = re.search(r"upper half \(turns (\d+) to (\d+)\)", text)
        if STATE["mode"].get("attr_vague"):
            t = "It is hard to say who went wrong here."
        elif m:
            yes = int(m.group(1)) == truth
            t = ("Yes" if yes == right else "No") + ": this turn decides the outcome."
        elif h:
            upper = truth <= int(h.group(2))
            t = ("**upper half**" if upper == right else "lower half") + "\nBecause of the search results."
        else:
            step = truth
            if not right and len(agents) > 1:
                step = g.choice([int(k) for k, _ in agents if int(k) != truth])
            name = dict((int(k), a) for k, a in agents).get(step, "nobody")
            t = ("After reading the log:\n**Agent Name:** %s\nStep Number: %d\n"
                 "Reason for Mistake: it went the wrong way." % (name, step))
        out.append((t, "stop"))
    return out


AJ_STYLES = ("plain", "fenced", "trailing", "object", "keyed", "from1", "missing", "prose")


def align_judge(body, text, n):
    """The reference-guided judge: a JSON list with, per step, the
    reference steps it matches (step i restates reference step i while
    there is one), a verdict (correct before the first error, incorrect at
    it, neutral after) and a reason. With probability 1 - judge_acc the
    first error is put on another step. The reply's form is one of the
    styles of mode "aj_styles" (default plain), chosen by the request."""
    r, _ = find(text)
    npar = len(re.findall(r"<paragraph_\d+>", text))
    nref = len(re.findall(r"<ref_\d+>", text))
    styles = STATE["mode"].get("aj_styles") or ["plain"]
    out = []
    for i in range(n):
        g = rng_for(body, i)
        fe = -1
        if r is not None and r["first_error"] is not None:
            fe = r["first_error"]
        if npar > 1 and g.random() >= A.judge_acc:
            fe = g.choice([x for x in range(-1, npar) if x != fe])
        steps = []
        for k in range(npar):
            v = "correct" if fe < 0 or k < fe else "incorrect" if k == fe else "neutral"
            steps.append({"step": k, "reference": [k] if k < nref else [], "verdict": v,
                          "reason": "matches the reference" if v == "correct" else "differs from the reference"})
        STATE["aj_replies"] = STATE.get("aj_replies", 0) + 1
        style = styles[STATE["aj_replies"] % len(styles)]
        if style == "from1":
            for s in steps:
                s["step"] += 1
                s["reference"] = [x + 1 for x in s["reference"]]
        if style == "missing" and len(steps) > 1:
            del steps[len(steps) // 2]
        if style == "object":
            t = json.dumps({"steps": steps}, indent=1)
        elif style == "keyed":
            t = json.dumps({str(s["step"]): {k: v for k, v in s.items() if k != "step"} for s in steps})
        else:
            t = json.dumps(steps, indent=1)
        if style == "trailing":
            t = t.replace("}\n]", "},\n]").replace('"]', '",]') + ""
            t = re.sub(r"(\d)\]", r"\1,]", t)
        if style == "fenced":
            t = "Here is my judgement.\n```json\n" + t + "\n```\nDone."
        if style == "prose":
            t = "Every step looks fine to me; I cannot say more."
        out.append((t, "stop"))
    return out


def prm_p(r, idx, g):
    fe = r["first_error"] if r and r["first_error"] is not None else -1
    good = fe < 0 or idx < fe
    base = 0.85 if good else 0.2
    return min(0.999, max(0.001, base + g.uniform(-0.1, 0.1)))


def reply(status, obj, extra_headers=None):
    body = json.dumps(obj).encode() if not isinstance(obj, (bytes, bytearray)) else bytes(obj)
    return status, body, extra_headers or {}, "application/json"


def take_fault(path, raw):
    for rule in STATE["faults"]:
        if rule.get("times", 1) <= 0 or rule.get("fault") == "slow":
            continue
        m = rule.get("match")
        if m and m.encode() not in raw:
            continue
        if rule.get("path") and rule["path"] != path:
            continue
        if "rate" in rule:
            # a share of the requests, each distinct body at most
            # max_per_request times: a client that retries always finishes
            h = hashlib.sha256(raw).hexdigest()
            seen = rule.setdefault("_seen", {})
            rng = random.Random("%s/%d/%s" % (h, seen.get(h, 0), rule["fault"]))
            if seen.get(h, 0) >= rule.get("max_per_request", 2) or rng.random() >= rule["rate"]:
                continue
            seen[h] = seen.get(h, 0) + 1
        else:
            rule["times"] = rule.get("times", 1) - 1
        name = rule["fault"]
        STATE["faults_served"][name] = STATE["faults_served"].get(name, 0) + 1
        if name in ("reset", "truncate"):
            PENDING_CUT.append(name)  # the connection is cut when replying
            return None
        return rule
    return None


RL_HEADERS = {}


def ratelimit(rl):
    """OpenAI's x-ratelimit-* headers over a fixed window; a 429 past the
    limit. None when no limit is set."""
    if not rl:
        return None
    import time
    now = time.monotonic() * 1000
    w = STATE["window"]
    if now - w[0] >= rl["window_ms"]:
        w[0], w[1] = now, 0
    reset_ms = max(1, math.ceil(rl["window_ms"] - (now - w[0])))
    if w[1] >= rl["requests"]:
        STATE["ratelimited"] += 1
        return 429, {"error": {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"}}, \
            {"x-ratelimit-limit-requests": str(rl["requests"]), "x-ratelimit-remaining-requests": "0",
             "x-ratelimit-reset-requests": "%dms" % reset_ms}
    w[1] += 1
    return 200, None, {"x-ratelimit-limit-requests": str(rl["requests"]),
                       "x-ratelimit-remaining-requests": str(rl["requests"] - w[1]),
                       "x-ratelimit-reset-requests": "%dms" % reset_ms,
                       "x-ratelimit-limit-tokens": "1000000", "x-ratelimit-remaining-tokens": "999000",
                       "x-ratelimit-reset-tokens": "6m0s"}


def completion_obj(kind, model, choices, body, logprobs=None):
    out = {"id": "cmpl-%d" % STATE["requests"], "object": "chat.completion" if kind == "chat" else "text_completion",
           "created": 1700000000, "model": model, "choices": [], "usage": usage(body, len(choices))}
    for i, (t, fr) in enumerate(choices):
        if kind == "chat":
            c = {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": fr}
        else:
            c = {"index": i, "text": t, "finish_reason": fr, "logprobs": None}
            if logprobs is not None:
                c["logprobs"] = {"tokens": [t], "token_logprobs": [0.0], "top_logprobs": [logprobs[i]]}
        out["choices"].append(c)
    return out


def handle(method, path, headers, raw):
    if method == "GET" and path == "/stats":
        return reply(200, {k: STATE[k] for k in ("requests", "by_path", "faults_served", "seen", "ratelimited")})
    if method == "GET" and path in ("/health", "/v1/models"):
        return reply(200, {"object": "list", "data": [{"id": "sim"}]})
    if method == "POST" and path == "/control":
        c = json.loads(raw or b"{}")
        if "faults" in c:
            STATE["faults"] = c["faults"]
        if "latency_ms" in c:
            STATE["latency_ms"] = c["latency_ms"]
        if "mode" in c:
            STATE["mode"].update(c["mode"])
        return reply(200, {"ok": True})
    STATE["requests"] += 1
    STATE["by_path"][path] = STATE["by_path"].get(path, 0) + 1
    if A.key and headers.get("authorization") != "Bearer " + A.key:
        return reply(401, {"error": {"message": "Incorrect API key provided: %s" % headers.get("authorization", "")[7:],
                                     "type": "invalid_request_error", "code": "invalid_api_key"}})
    try:
        body = json.loads(raw)
    except ValueError:
        return reply(400, {"error": {"message": "bad JSON", "type": "BadRequestError", "code": 400}})
    if LOG:
        LOG.write(json.dumps({"path": path, "hash": hashlib.sha256(raw).hexdigest()[:16]}) + "\n")
        LOG.flush()
    for k in ("max_tokens", "max_completion_tokens", "temperature", "top_p", "reasoning_effort", "task", "n"):
        if k in body:
            STATE["seen"][k] = STATE["seen"].get(k, 0) + 1
    mode = STATE["mode"]
    limited = ratelimit(mode.get("ratelimit"))
    if limited is not None:
        status, obj, hdrs = limited
        if status != 200:
            return reply(status, obj, hdrs)
        RL_HEADERS.update(hdrs)
    if mode.get("reasoning") and path != "/pooling":
        if "max_tokens" in body:
            return reply(400, {"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                                         "type": "invalid_request_error", "param": "max_tokens", "code": "unsupported_parameter"}})
        for k in ("temperature", "top_p"):
            if k in body and body[k] != 1:
                return reply(400, {"error": {"message": "Unsupported value: '%s' does not support %s with this model. Only the default (1) value is supported." % (k, body[k]),
                                             "type": "invalid_request_error", "param": k, "code": "unsupported_value"}})
    if mode.get("max_n") and int(body.get("n", 1) or 1) > mode["max_n"]:
        return reply(500, {"error": {"code": 500, "message": "Only one completion choice is allowed", "type": "server_error"}})
    if path == "/pooling" and mode.get("pooling_task") == "require" and body.get("task") != "token_classify":
        return reply(400, {"error": {"message": "The model does not support pooling task %r: specify task 'token_classify'" % body.get("task"),
                                     "type": "BadRequestError", "code": 400}})
    if path == "/pooling" and mode.get("pooling_task") == "reject" and "task" in body:
        return reply(400, {"object": "error", "message": "1 validation error for PoolingCompletionRequest\ntask\n  Extra inputs are not permitted",
                           "type": "BadRequestError", "code": 400})
    rule = take_fault(path, raw)
    fault = rule["fault"] if rule else None
    if fault in ("500", "503", "400", "401", "404"):
        st = int(fault)
        return reply(st, {"error": {"message": "injected %s" % fault, "type": "InternalServerError" if st >= 500 else "BadRequestError", "code": st}})
    if fault == "429":
        h = {}
        if "retry_after" in rule:
            h["Retry-After"] = str(rule["retry_after"])
        if "retry_after_ms" in rule:
            h["retry-after-ms"] = str(rule["retry_after_ms"])
        return reply(429, {"error": {"message": "Rate limit reached", "type": "rate_limit_error", "code": "rate_limit_exceeded"}}, h)
    if fault == "quota":
        return reply(429, {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"}})
    if fault == "html":
        return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {}, "text/html"
    if fault == "error200":
        return reply(200, {"object": "error", "error": {"message": "injected engine error", "type": "InternalServerError", "code": 500}})
    if fault == "malformed":
        return 200, b'{"id": "x", "choices": [{"index": 0, "text": "unterminated', {}, "application/json"
    model = body.get("model", "sim")
    n = int(body.get("n", 1) or 1)
    if fault == "fewchoices":
        n = max(0, n - 1)
    if path == "/pooling":
        text = body.get("input", "")
        r, _ = find(text)
        rows = []
        for i in range(text.count("<extra_0>")):
            p = prm_p(r, i, rng_for(body, i))
            rows.append([1 - p, p])
        if fault == "rows":
            rows = rows[:-1]
        return reply(200, {"id": "pool-1", "object": "list", "created": 1700000000, "model": model,
                           "data": [{"index": 0, "object": "pooling", "data": rows}],
                           "usage": {"prompt_tokens": 100, "total_tokens": 100}})
    if path == "/v1/completions":
        prompt = body.get("prompt", "")
        if body.get("logprobs"):
            r, _ = find(prompt)
            # Math-Shepherd's PRM scores the token after a step's tag: a
            # prompt that does not end with the tag gets ordinary text
            tagged = prompt.rstrip(" ").endswith("\u043a\u0438")
            idx = prompt.count("\u043a\u0438") - 1
            lps = []
            choices = []
            for i in range(n):
                p = prm_p(r, idx, rng_for(body, i))
                if tagged:
                    lps.append({"+": math.log(p), "-": math.log(1 - p), " the": -9.0})
                else:
                    lps.append({" The": -0.4, " So": -1.5, " the": -3.0})
                choices.append(("+" if p >= 0.5 else "-", "length"))
            obj = completion_obj("text", model, choices, body, lps)
            if STATE["mode"].get("logprobs") == "llama":
                for c, lp in zip(obj["choices"], lps):
                    top = [{"id": 1000 + j, "token": t, "logprob": v, "bytes": list(t.encode())}
                           for j, (t, v) in enumerate(sorted(lp.items(), key=lambda kv: -kv[1]))]
                    c["logprobs"] = {"content": [{"id": top[0]["id"], "token": top[0]["token"], "logprob": top[0]["logprob"],
                                                  "bytes": top[0]["bytes"], "top_logprobs": top}]}
            return reply(200, obj)
        return reply(200, completion_obj("text", model, rollout(body, prompt, n), body))
    if path == "/v1/chat/completions":
        msgs = body.get("messages", [])
        text = "\n".join(m.get("content", "") for m in msgs)
        if body.get("continue_final_message"):
            choices = rollout(body, text, n)
        elif "[Reference solution]" in text:
            choices = align_judge(body, text, n)
        elif text.startswith("A team of agents"):
            choices = attribute(body, text, n)
        else:
            choices = judge(body, text, n)
        obj = completion_obj("chat", model, choices, body)
        if fault == "nullcontent":
            for c in obj["choices"]:
                c["message"]["reasoning_content"] = "Let me think about paragraph 0... and paragraph 1... " * 20
                c["message"]["content"] = None
                c["finish_reason"] = "length"
        return reply(200, obj)
    return reply(404, {"error": {"message": "no route %s" % path, "type": "NotFoundError", "code": 404}})


async def serve(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            parts = line.decode("latin-1").split()
            if len(parts) < 2:
                break
            method, path = parts[0], parts[1]
            headers = {}
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode("latin-1").partition(":")
                headers[k.strip().lower()] = v.strip()
            n = int(headers.get("content-length", "0") or 0)
            raw = await reader.readexactly(n) if n else b""
            RL_HEADERS.clear()
            status, body, extra, ctype = handle(method, path, headers, raw)
            if RL_HEADERS and status == 200:
                extra = dict(extra, **RL_HEADERS)
            lat = STATE["latency_ms"]
            rule_slow = [r for r in STATE["faults"] if r.get("fault") == "slow" and r.get("times", 1) > 0
                         and (not r.get("match") or r["match"].encode() in raw)]
            if rule_slow and path not in ("/control", "/stats"):
                rule_slow[0]["times"] = rule_slow[0].get("times", 1) - 1
                STATE["faults_served"]["slow"] = STATE["faults_served"].get("slow", 0) + 1
                lat += rule_slow[0].get("latency_ms", 1000)
            if lat and path not in ("/control", "/stats"):
                await asyncio.sleep(lat / 1000.0)
            reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
                      500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "X")
            head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (status, reason, ctype, len(body))
            for k, v in extra.items():
                head += "%s: %s\r\n" % (k, v)
            head += "\r\n"
            pending = PENDING_CUT.pop(0) if PENDING_CUT else None
            if pending == "reset":
                writer.transport.abort()
                return
            if pending == "truncate":
                writer.write(head.encode() + body[: len(body) // 2])
                await writer.drain()
                writer.transport.abort()
                return
            writer.write(head.encode() + body)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    global A, LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--p-good", type=float, default=0.8)
    ap.add_argument("--p-bad", type=float, default=0.05)
    ap.add_argument("--judge-acc", type=float, default=0.7)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--key")
    ap.add_argument("--log")
    A = ap.parse_args()
    STATE["latency_ms"] = A.latency_ms
    load(A.data)
    if A.log:
        LOG = open(A.log, "a")
    server = await asyncio.start_server(serve, "127.0.0.1", A.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    if A.port_file:
        tmp = A.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, A.port_file)
    else:
        print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
