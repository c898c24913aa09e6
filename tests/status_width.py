# status_width.py - every status message the workbench can say (each
# tui_message() in ui/, and each tui_menu() question), its widest form: the
# literal text, each %s of a literal argument as its longest literal, of
# data as a 12-column name, numbers as wide as a big store makes them.
# Prints the ones wider than the width; exits 1 if there is one.
import re, sys

WIDTH = int(sys.argv[1])
NAME, NUM = 12, {"d": 3, "ld": 6, "lld": 6, "zu": 3, "u": 3, "%": 1}

def split_top(s, seps):
    """s cut at the separators that are outside parentheses and strings"""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(s):
        c = s[i]
        if c == '"' or c == "'":
            j = i + 1
            while s[j] != c:
                j += 2 if s[j] == "\\" else 1
            cur += s[i:j + 1]
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if depth == 0 and c in seps:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts

def literals(arg):
    """the string literals of an argument, adjacent ones joined; and
    whether the argument can be something else"""
    out, other = [], False
    cond = split_top(arg, "?")  # c ? a : b: a and b, not c
    alts = split_top(cond[1], ":") + cond[2:] if len(cond) > 1 else cond
    for alt in alts:
        groups = re.findall(r'((?:"(?:[^"\\]|\\.)*"\s*)+)', alt)
        text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', groups[0])) if groups else None
        if text is not None and alt.strip().startswith('"'):
            out.append(text.encode().decode("unicode_escape"))
        elif alt.strip():
            other = True
    return out, other

def widest(fmt, args):
    w, ai, i = 0, 0, 0
    while i < len(fmt):
        if fmt[i] != "%":
            w += 1
            i += 1
            continue
        m = re.match(r"%[-0-9.*]*(lld|ld|zu|d|u|s|%)", fmt[i:])
        conv = m.group(1)
        i += m.end()
        if conv == "%":
            w += 1
            continue
        arg = args[ai] if ai < len(args) else ""
        ai += 1
        if conv == "s":
            lits, other = literals(arg)
            w += max([len(x) for x in lits] + ([NAME] if other or not lits else []))
        else:
            w += NUM[conv]
    return w

bad = 0
for path in sys.argv[2:]:
    src = open(path, encoding="utf-8").read()
    for m in re.finditer(r"\btui_(message|menu)\(", src):
        if src[max(0, m.start() - 5):m.start()] == "void ":
            continue
        fa = 2 if m.group(1) == "message" else 1  # the format's argument
        depth, j = 1, m.end()
        while depth:
            if src[j] == '"':
                j += 1
                while src[j] != '"':
                    j += 2 if src[j] == "\\" else 1
            elif src[j] == "(":
                depth += 1
            elif src[j] == ")":
                depth -= 1
            j += 1
        args = split_top(src[m.end():j - 1], ",")
        fmts, _ = literals(args[fa])
        line = src.count("\n", 0, m.start()) + 1
        for f in fmts:
            w = widest(f, args[fa + 1:] if fa == 2 else [])
            if w > WIDTH:
                print(f"{path}:{line}: {w} columns: {f}")
                bad += 1
sys.exit(1 if bad else 0)
