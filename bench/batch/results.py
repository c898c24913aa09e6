"""results.py - a batch engine's output for bench/batch: one result line
per request line of the files named, n rollouts each (the length of a
real one), in another order than the requests'.
Usage: results.py OUT REQUESTS..."""
import json
import random
import sys

TEXT = (" So the waiter ate 8 slices, and twenty less than that is 8 - 20 = -12.\n"
        "The answer is \\boxed{-12}.")
out = []
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            n = r["body"].get("n", 1)
            body = {"id": "cmpl-x", "object": "text_completion", "model": r["body"]["model"],
                    "choices": [{"index": i, "text": TEXT, "finish_reason": "stop"}
                                for i in range(n)],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 30 * n,
                              "total_tokens": 120 + 30 * n}}
            out.append(json.dumps({"id": "batch_req_%d" % len(out), "custom_id": r["custom_id"],
                                   "response": {"status_code": 200, "request_id": "r",
                                                "body": body}, "error": None}))
random.Random(1).shuffle(out)
with open(sys.argv[1], "w") as f:
    for l in out:
        f.write(l + "\n")
