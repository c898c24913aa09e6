"""An emulator of the OpenAI Batch API for one input file: files.create
(purpose "batch") then batches.create(endpoint, completion_window "24h"),
written from OpenAI's documentation, not from what stepmark writes.
Usage: openai_batch.py INPUT OUTPUT ERRORS
The batch fails whole (exit 1, no output) when the input file is not
valid: more than 50 000 requests or 200 MB, a line not JSON or without
custom_id, method or url, custom_ids not unique, requests for more than
one endpoint or more than one model. Each request then runs; one the
API refuses (an unknown parameter) goes to the error file. Output
lines come in no promised order."""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emu_common import post, shuffled  # noqa: E402

ENDPOINTS = ("/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/embeddings")
KNOWN = {"model", "messages", "prompt", "max_tokens", "max_completion_tokens", "temperature",
         "top_p", "seed", "n", "stop", "logprobs", "top_logprobs", "reasoning_effort",
         "response_format", "presence_penalty", "frequency_penalty", "user"}


def fail(msg):
    print("batch failed: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    inp, outp, errp = sys.argv[1:4]
    if os.path.getsize(inp) > 200 * 1024 * 1024:
        fail("file larger than 200 MB")
    reqs, ids = [], set()
    with open(inp) as f:
        for no, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except ValueError:
                fail("line %d: invalid JSON" % no)
            for k in ("custom_id", "method", "url", "body"):
                if k not in r:
                    fail("line %d: missing %s" % (no, k))
            if r["custom_id"] in ids:
                fail("line %d: duplicate custom_id" % no)
            ids.add(r["custom_id"])
            reqs.append(r)
    if len(reqs) > 50000:
        fail("more than 50000 requests")
    if len({r["url"] for r in reqs}) != 1 or reqs[0]["url"] not in ENDPOINTS:
        fail("every request of a batch is for its one endpoint")
    if len({r["body"].get("model") for r in reqs}) != 1:
        fail("a batch file holds requests for one model only")
    out, errs = [], []
    for r in reqs:
        rid = "req_" + uuid.uuid4().hex
        unknown = sorted(set(r["body"]) - KNOWN)
        if unknown:
            errs.append({"id": "batch_req_" + uuid.uuid4().hex, "custom_id": r["custom_id"],
                         "response": {"status_code": 400, "request_id": rid, "body": {"error": {
                             "message": "Unrecognized request argument supplied: %s" % unknown[0],
                             "type": "invalid_request_error", "param": None, "code": None}}},
                         "error": None})
            continue
        status, body = post(r["url"], r["body"])
        (out if status == 200 else errs).append(
            {"id": "batch_req_" + uuid.uuid4().hex, "custom_id": r["custom_id"],
             "response": {"status_code": status, "request_id": rid, "body": body}, "error": None})
    for path, rows in ((outp, out), (errp, errs)):
        with open(path, "w") as f:
            for o in shuffled(rows):
                f.write(json.dumps(o) + "\n")


if __name__ == "__main__":
    main()
