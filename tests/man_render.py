# man_render.py - the man pages as man(1) shows them at 80 columns: fails
# on words run together (".IR #id ). Filters" renders "#id).Filters")
import os, re, subprocess, sys, unicodedata

ALT = {"BR", "RB", "IR", "RI", "BI", "IB"}
SPECIAL = {"dq": '"', "lq": "\u201c", "rq": "\u201d", "aq": "'", "mu": "\u00d7",
           "bu": "\u2022", "sr": "\u221a", "em": "\u2014", "en": "\u2013", "ti": "~",
           "ha": "^", "rs": "\\", "*p": "\u03c0"}
SAME = str.maketrans({"\u2010": "-", "\u2212": "-", "\u2014": "-", "\u2013": "-",
                      "\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"', "\u201d": '"'})

def plain(t):
    """the same text as either side writes it: groff's hyphens, minus signs
    and quotes as ASCII, combining marks (which it may drop) gone"""
    t = t.translate(SAME)
    return "".join(c for c in t if unicodedata.category(c) != "Mn")

def unescape(t):
    out, i = [], 0
    while i < len(t):
        c = t[i]
        if c != "\\" or i + 1 == len(t):
            out.append(c)
            i += 1
            continue
        d = t[i + 1]
        i += 2
        if d in "\\e":
            out.append("\\")
        elif d == "-":
            out.append("-")
        elif d in " ~0":
            out.append(" ")
        elif d in "&%:/,|^cd" or d == "u":
            pass
        elif d == "f" or d == "*":
            if t[i:i + 1] == "(":
                i += 3
            elif t[i:i + 1] == "[":
                i = t.index("]", i) + 1
            else:
                i += 1
        elif d == "(":
            out.append(SPECIAL.get(t[i:i + 2], "?"))
            i += 2
        elif d == "[":
            j = t.index("]", i)
            name = t[i:j]
            u = re.fullmatch(r"u([0-9A-F]{4,5})", name)
            out.append(chr(int(u.group(1), 16)) if u else SPECIAL.get(name, "?"))
            i = j + 1
        else:
            out.append(d)
    return "".join(out)

def joined(args):
    """An alternating-font macro's arguments as the writer meant them: roff
    glues them all, but a word after punctuation or after another word was
    meant to stand apart."""
    out, prev = "", ""
    for a in args:
        if prev and a and ((len(prev) > 1 and prev[-1] in ".;,!?" and a[0].isalnum()) or
                           (prev[-1].isalnum() and a[0].isalnum() and prev[0] != "\\")):
            out += " "
        out += a
        prev = a
    return out

def source_text(path):
    lines = []
    for l in open(path, encoding="utf-8").read().splitlines():
        if l.startswith('.\\"') or l.startswith("'\\\""):
            continue
        if l.startswith("."):
            m = re.match(r'\.(\S+)\s*(.*)', l)
            if not m:
                continue
            args = [unescape(a if a else b) for a, b in
                    re.findall(r'"((?:[^"]|"")*)"|(\S+)', m.group(2))]
            l = joined(args) if m.group(1) in ALT else " ".join(args)
        else:
            l = unescape(l)
        lines.append(l)
    return plain(re.sub(r"\s+", " ", " ".join(lines)))

def rendered(path):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    r = subprocess.run(["man", "-l", path], capture_output=True, env=env)
    out = re.sub(r".\x08", "", r.stdout.decode("utf-8", "replace"))
    lines = [l for l in out.splitlines() if l.strip()]
    return [plain(l) for l in lines[1:-1]]  # not the header, the footer

# Every token of the rendering must be found in the source's text (escapes
# undone, macro names dropped, an alternating-font macro's arguments glued
# as roff glues them) except where a writer would not have glued them: a
# word after an argument ending in punctuation, or after another word.
bad = 0
for page in sys.argv[1:]:
    for n, l in enumerate(open(page, encoding="utf-8"), 1):
        if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", l):
            print(f"{page}:{n}: a control character: {l.strip()!r}")
            bad += 1
    flat = source_text(page)
    toks = [t for l in rendered(page) for t in l.split()]
    for i, t in enumerate(toks):
        cands = [t]
        if t.endswith("-") and i + 1 < len(toks):  # hyphenated at a line's end
            cands += [t[:-1] + toks[i + 1], t + toks[i + 1]]
        if not any(c in flat for c in cands):
            print(f"{page}: words run together: {t}")
            bad += 1
print(f"{len(sys.argv) - 1} pages, {bad} run-together")
sys.exit(1 if bad else 0)
