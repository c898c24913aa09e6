"""An emulator of vLLM's `python -m vllm.entrypoints.openai.run_batch -i IN
-o OUT --model MODEL`, written from vLLM's documentation and its
BatchRequestInput model, not from what stepmark writes:
- every line is parsed and validated before any request runs; one line
  that is not a valid request (not JSON, no custom_id, method not POST,
  a url it does not serve, a chat body without messages, both
  continue_final_message and add_generation_prompt true) aborts the whole
  run with no output file;
- it serves /v1/chat/completions, /v1/embeddings, /v1/score, /v1/rerank:
  not /v1/completions, not /pooling;
- a body naming another model than the one served gets an error line;
- output lines {"id", "custom_id", "response": {"status_code",
  "request_id", "body"}, "error"}, in no promised order."""
import argparse
import json
import sys
import uuid

sys.path.insert(0, __file__.rsplit("/vllm/", 1)[0])
from emu_common import post, shuffled  # noqa: E402

SERVED = ("/v1/chat/completions", "/v1/embeddings", "/v1/score", "/v1/rerank")


def validate(no, line):
    try:
        req = json.loads(line)
    except ValueError as e:
        raise SystemExit("ValidationError: line %d: invalid JSON: %s" % (no, e))
    for k, t in (("custom_id", str), ("method", str), ("url", str), ("body", dict)):
        if not isinstance(req.get(k), t):
            raise SystemExit("ValidationError: line %d: field %s required" % (no, k))
    if req["method"] != "POST":
        raise SystemExit("ValidationError: line %d: method must be POST" % no)
    if req["url"] not in SERVED:
        raise SystemExit("ValueError: URL %s was used. Supported endpoints: %s"
                         % (req["url"], ", ".join(SERVED)))
    body = req["body"]
    if req["url"] == "/v1/chat/completions":
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not all(isinstance(m, dict) and "role" in m for m in msgs):
            raise SystemExit("ValidationError: line %d: messages required" % no)
        if body.get("continue_final_message") and body.get("add_generation_prompt", True):
            raise SystemExit("ValidationError: line %d: Cannot set both continue_final_message "
                             "and add_generation_prompt to True." % no)
    return req


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-i", "--input-file", required=True)
    ap.add_argument("-o", "--output-file", required=True)
    ap.add_argument("--model", required=True)
    a, _ = ap.parse_known_args()
    with open(a.input_file) as f:
        reqs = [validate(no, l) for no, l in enumerate(f, 1) if l.strip()]
    out = []
    for req in reqs:
        rid = "vllm-batch-" + uuid.uuid4().hex
        if req["body"].get("model") != a.model:
            out.append({"id": rid, "custom_id": req["custom_id"], "response":
                        {"status_code": 404, "request_id": rid, "body": {
                            "object": "error", "message": "The model `%s` does not exist."
                            % req["body"].get("model"), "type": "NotFoundError", "code": 404}},
                        "error": None})
            continue
        status, body = post(req["url"], req["body"])
        out.append({"id": rid, "custom_id": req["custom_id"],
                    "response": {"status_code": status, "request_id": rid, "body": body},
                    "error": None})
    with open(a.output_file, "w") as f:
        for o in shuffled(out):
            f.write(json.dumps(o) + "\n")


if __name__ == "__main__":
    main()
