"""ray.data.llm as documented: build_llm_processor(config, preprocess,
postprocess) gives a processor; each row preprocessed must hold
`messages` (a chat template is applied) or `prompt`, and
`sampling_params`; the engine answers ONE output per row, whatever
sampling_params.n says, as the row's `generated_text` with
`num_input_tokens` and `num_generated_tokens`; postprocess sees the row
with those columns added."""
from emu_common import post
from . import Dataset


class vLLMEngineProcessorConfig:
    def __init__(self, model_source, engine_kwargs=None, concurrency=1, batch_size=64,
                 **kwargs):
        self.model_source = model_source
        self.engine_kwargs = engine_kwargs or {}


def _generate(model, row):
    sp = dict(row.get("sampling_params") or {})
    sp.pop("n", None)  # one output per row: n is not honoured
    body = {"model": model, "n": 1}
    body.update(sp)
    if "messages" in row:
        body["messages"] = row["messages"]
        body.update(row.get("chat_template_kwargs") or {})
        status, r = post("/v1/chat/completions", body)
        c = r["choices"][0]
        text = c["message"]["content"]
    elif "prompt" in row:
        body["prompt"] = row["prompt"]
        status, r = post("/v1/completions", body)
        c = r["choices"][0]
        text = c["text"]
    else:
        raise ValueError("a row needs messages or prompt")
    if status != 200:
        raise RuntimeError("engine error: %s" % r)
    out = dict(row)
    out["generated_text"] = text
    out["num_input_tokens"] = r["usage"]["prompt_tokens"]
    out["num_generated_tokens"] = r["usage"]["completion_tokens"]
    return out


def build_llm_processor(config, preprocess=None, postprocess=None, **kwargs):
    def run(ds):
        rows = ds.take_all()
        if preprocess:
            rows = [preprocess(dict(r)) for r in rows]
        rows = [_generate(config.model_source, r) for r in rows]
        if postprocess:
            rows = [postprocess(r) for r in rows]
        return Dataset(rows)
    return run
