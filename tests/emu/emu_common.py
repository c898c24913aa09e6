"""emu_common.py - what the batch engines' emulators share: the model
behind them is the fake OpenAI server of the tests (STEPMARK_EMU_SERVER),
asked one request at a time."""
import json
import os
import random
import urllib.error
import urllib.request


def server():
    return os.environ["STEPMARK_EMU_SERVER"].rstrip("/")


def post(path, body):
    """(status, JSON body) of the model server's answer to body at path"""
    req = urllib.request.Request(server() + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def shuffled(items):
    """the engines promise no order: results come back in another one"""
    items = list(items)
    random.Random(os.environ.get("STEPMARK_EMU_ORDER", "7")).shuffle(items)
    return items
