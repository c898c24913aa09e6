#!/usr/bin/env python3
"""style.py - the house rules of src/ ui/ db/, checked (make check-style).

  style.py SRCDIR RULE

RULE is one of the names in RULES; each prints every place that breaks
it, one per line as file:line: why, and exits 1 if there is one. The
rules are those HACKING describes: a purpose line atop every file, SQL
only in db/, one definition per struct tag, no function over 150 lines,
no include of which a file uses nothing, and the rooms' layering.
"""
import os
import re
import sys

ROOMS = ("src", "ui", "db")
MAX_FUNCTION = 150
MAX_FILE = 1500
# the program's files: the commands sit above both the core and the
# workbench, so they alone in src/ may call ui/
PROGRAM = re.compile(r"^src/(main|commands|cmd_[a-z_]+)\.c$")
# what db/ may include from src/: the foundation, no more
DB_MAY = {"util.h", "item.h", "json.h", "name.h"}


def sources(top, exts=(".c", ".h", ".def")):
    for room in ROOMS:
        for name in sorted(os.listdir(os.path.join(top, room))):
            if name.endswith(exts) and not name.startswith("default_rc"):
                yield "%s/%s" % (room, name)


def read(top, rel):
    with open(os.path.join(top, rel), encoding="utf-8") as f:
        return f.read()


def strip_comments(text, keep_strings=False):
    """Comments (and string literals, unless keep_strings) blanked, lines
    kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1] if keep_strings else c + " " * (j - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def rule_purpose(top):
    """Every file opens with a comment that names it and says what it is for."""
    bad = []
    for rel in sources(top):
        first = read(top, rel).split("\n", 1)[0]
        name = os.path.basename(rel)
        if not re.match(r"^/\* %s - \S" % re.escape(name), first):
            bad.append("%s:1: no purpose line (/* %s - what it is for)" % (rel, name))
    return bad


SQL_WORDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER",
             "ATTACH", "DETACH", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
             "RELEASE", "WITH", "VACUUM", "ANALYZE", "REINDEX")


def rule_sql(top):
    """SQL only in db/: no sqlite3 call, header or handle elsewhere, and no
    string that starts as a statement does (an upper-case SQL word and
    more upper case or a table word after it), comments aside."""
    bad = []
    pat = re.compile(r"\bsqlite3_?\w*|<sqlite3\.h>|\bdb_handle\b")
    sql = re.compile(r'"\s*(%s)\b(\s+[A-Z*(]|\s+\w+\s*\(|\s*;|\s*")' % "|".join(SQL_WORDS))
    for rel in sources(top):
        if rel.startswith("db/"):
            continue
        text = strip_comments(read(top, rel), keep_strings=True)
        for no, line in enumerate(text.split("\n"), 1):
            if pat.search(line) or sql.search(line):
                bad.append("%s:%d: SQL outside db/: %s" % (rel, no, line.strip()[:70]))
    return bad


def rule_structs(top):
    """A struct tag is defined once in the whole program."""
    seen, bad = {}, []
    for rel in sources(top):
        text = strip_comments(read(top, rel))
        for m in re.finditer(r"\bstruct\s+(\w+)\s*\{", text):
            line = text.count("\n", 0, m.start()) + 1
            tag = m.group(1)
            if tag in seen:
                bad.append("%s:%d: struct %s is also defined at %s" % (rel, line, tag, seen[tag]))
            else:
                seen[tag] = "%s:%d" % (rel, line)
    return bad


def functions(text):
    """(name, first line, lines) of each function defined at file level:
    a header at column 0, its body from a '{' to a '}' at column 0."""
    lines = strip_comments(text).split("\n")
    out, head = [], None
    i = 0
    while i < len(lines):
        l = lines[i]
        m = re.match(r"^[A-Za-z_][\w\s\*]*?\b(\w+)\s*\(", l)
        if m and not l.startswith(("typedef", "struct", "enum", "union")) and not l.rstrip().endswith(";"):
            head = (m.group(1), i)
        if m and l.rstrip().endswith("{") and not l.startswith(("typedef", "struct", "enum", "union")) \
           and "=" not in l:
            head = (m.group(1), i)
            lines[i] = "{"  # the body starts on the header's line
            continue
        if l.startswith("{") and head:
            j = i
            while j < len(lines) and not lines[j].startswith("}"):
                j += 1
            out.append((head[0], head[1] + 1, j - head[1] + 1))
            head = None
            i = j
        elif l.strip() == "" or l.startswith("#") or (not l[:1].isspace() and l.rstrip().endswith(";")):
            head = None
        i += 1
    return out


def rule_functions(top):
    """No function over 150 lines, no file over 1 500."""
    bad = []
    for rel in sources(top, (".c", ".h")):
        text = read(top, rel)
        if text.count("\n") > MAX_FILE:
            bad.append("%s:1: %d lines, more than %d" % (rel, text.count("\n"), MAX_FILE))
        for name, line, n in functions(text):
            if n > MAX_FUNCTION:
                bad.append("%s:%d: %s() is %d lines, more than %d" % (rel, line, name, n, MAX_FUNCTION))
    return bad


def includes(text):
    for no, line in enumerate(text.split("\n"), 1):
        m = re.match(r'^#include\s+([<"])([^>"]+)[>"]', line)
        if m:
            yield no, m.group(1) == '"', m.group(2)


DB_OWN = {"dbi.h", "schema.h"}  # db/'s own headers


def resolve(top, rel, inc):
    """Where a local include lands: beside the file, else in -I's rooms
    (src/, db/), else at the top."""
    for d in (os.path.dirname(rel), "src", "db", "."):
        path = os.path.normpath(os.path.join(d, inc))
        if os.path.exists(os.path.join(top, path)):
            return path
    return None


def rule_layers(top):
    """db/ calls nothing above it (from src/ only the foundation); db/'s
    own headers stay in db/; src/ never calls ui/ (the program's own files
    excepted); the queue model knows no curses."""
    bad = []
    for rel in sources(top):
        room = rel.split("/")[0]
        for no, local, inc in includes(read(top, rel)):
            base = os.path.basename(inc)
            at = resolve(top, rel, inc) if local else None
            lands = at.split("/")[0] if at and "/" in at else None
            if room == "db" and lands and lands != "db" and \
               (lands != "src" or base not in DB_MAY):
                bad.append("%s:%d: db/ includes %s (only %s from src/)" % (rel, no, at, ", ".join(sorted(DB_MAY))))
            if room == "db" and not local and base in ("curses.h", "ncurses.h", "curl/curl.h"):
                bad.append("%s:%d: db/ includes <%s>" % (rel, no, inc))
            if room != "db" and lands == "db" and base in DB_OWN:
                bad.append("%s:%d: %s is db/'s own: use db.h's named operations" % (rel, no, at))
            if room == "src" and lands == "ui" and not PROGRAM.match(rel):
                bad.append("%s:%d: src/ includes %s: the core never calls the workbench" % (rel, no, at))
            if re.search(r"(^|/)(queue_model|qmodel)\.[ch]$", rel) and not local and "curses" in inc:
                bad.append("%s:%d: the queue model includes <%s>" % (rel, no, inc))
    return bad


def declared(top, rel, seen=None):
    """The names a header declares: functions, macros, types, struct and
    enum tags, enum constants; an umbrella's (a header that declares
    nothing itself) those of the headers it includes beside it."""
    seen = set() if seen is None else seen
    if rel in seen or not os.path.exists(os.path.join(top, rel)):
        return set()
    seen.add(rel)
    raw = read(top, rel)
    text = strip_comments(raw)
    names = set(re.findall(r"^#\s*define\s+(\w+)", text, re.M))
    names |= set(re.findall(r"\b(?:struct|enum|union)\s+(\w+)\s*[{;]", text))
    names |= set(re.findall(r"\b(\w+)\s*\(", text))
    top_level = re.sub(r"\{[^{}]*\}", "{}", text)
    while re.search(r"\{[^{}]+\}", top_level):
        top_level = re.sub(r"\{[^{}]*\}", "{}", top_level)
    names |= set(re.findall(r"\b(\w+)\s*(?:\[[^\]]*\])?\s*;", top_level))
    names |= set(re.findall(r"typedef[^;]*?\b(\w+)\s*;", text))
    for body in re.findall(r"\benum\b[^{;]*\{([^}]*)\}", text):
        names |= set(re.findall(r"\b([A-Z_][A-Z0-9_]+)\b", body))
    ids = set(re.findall(r"^\s*_\(([A-Z_][A-Z0-9_]*)", raw, re.M))  # X-macro lines
    names |= ids
    for prefix in set(re.findall(r"(\w+)##\w+", raw)):  # and the names pasted from them
        names |= {prefix + i for i in ids}
    names = {n for n in names if not re.match(r"^SM_\w+_H$", n)}
    here = os.path.dirname(rel)
    for _, local, inc in includes(raw if not names else ""):  # an umbrella
        if local and "/" not in inc:
            names |= declared(top, os.path.normpath(os.path.join(here, inc)), seen)
    keywords = {"if", "while", "for", "switch", "return", "sizeof", "defined", "int", "char",
                "void", "const", "unsigned", "long", "double", "size_t", "static", "inline"}
    return names - keywords


def rule_includes(top, cc=None):
    """No #include "..." of which the file uses nothing (what the header
    declares, or for an umbrella the headers beside it that it gathers)."""
    bad = []
    for rel in sources(top, (".c",)):
        raw = read(top, rel)
        body = strip_comments(raw)
        words = set(re.findall(r"\b\w+\b", "\n".join(l for l in body.split("\n")
                                                     if not l.startswith("#include"))))
        for no, local, inc in includes(raw):
            if not local or inc == "config.h" or inc.endswith(".def"):
                continue
            hdr = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
            if os.path.splitext(os.path.basename(hdr))[0] == os.path.splitext(os.path.basename(rel))[0]:
                continue  # its own header
            if not os.path.exists(os.path.join(top, hdr)):
                continue  # a generated or system one
            if not (declared(top, hdr) & words):
                bad.append('%s:%d: uses nothing of #include "%s"' % (rel, no, inc))
    return bad


RULES = {
    "purpose": rule_purpose,
    "sql": rule_sql,
    "structs": rule_structs,
    "functions": rule_functions,
    "layers": rule_layers,
    "includes": rule_includes,
}


def main():
    top, rule = sys.argv[1], sys.argv[2]
    fn = RULES[rule]
    bad = fn(top)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
