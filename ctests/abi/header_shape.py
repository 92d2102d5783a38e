#!/usr/bin/env python3
"""Our headers, read as text the way build scripts read them, give the
answers the reference's headers (Debian's libzookeeper-mt-dev) give.

Bindings' build scripts do not only compile against the headers, they grep
them: `grep ZOO_VERSION zookeeper_version.h | awk '{print $3}'` for the
version, a grep for a function's name (`zoo_create2(`) to decide what to
compile. For every macro and every function the reference's headers declare,
this compares the lines of ours that name it with the lines of theirs.

  header_shape.py [--ours DIR] [--ref DIR] [--ref-lib LIB]

  --ours     our headers; default: include/zookeeper of the source tree this
             file is in (ctests/abi/../../include/zookeeper)
  --ref      the reference's headers; default /usr/include/zookeeper
  --ref-lib  the reference library, for which functions it exports; default
             /usr/lib/x86_64-linux-gnu/libzookeeper_mt.so.2
Missing reference headers or library fail the test (exit 2), they are no
reason to skip it. Differences: one line each, then a count; exit 1.

Files. zookeeper.h, zookeeper.jute.h, recordio.h, proto.h, zookeeper_log.h
and zookeeper_version.h, each against its namesake; zookeeper_ext.h (ours
only) against an empty file, for the macro rules: a script grepping
include/zookeeper/*.h reads it too.

Names. Macros: every `#define NAME` of the reference's headers (include
guards, ZOOAPI, ZOO_VERSION, ZOO_CONFIG_NODE, ZOO_READONLY, the opcodes, the
LOG_* macros). Functions: every function declared at file scope (not
function-pointer typedefs, not struct members).

A line *names* NAME when NAME is on it as a whole identifier, comments
included (what `grep -w NAME` finds). Each such line has one kind: the
`#define` of NAME; another preprocessor line, by directive (`#ifndef`,
`#endif`, ...; a directive's trailing comment and its continuation lines
are part of it); a comment line (NAME only inside a comment); code.

Macro rules, for each macro and file:
 M1 ours has as many `#define NAME` lines as theirs, in order each of the
    form of theirs: the same text up to NAME (`grep '^#define NAME'` finds
    both), object- or function-like with as many parameters (and `...`
    where theirs has it; their names are free), a value where theirs has
    one, no trailing comment where theirs has none; where theirs' value is
    a literal (number, string or character constant) the same value text,
    so the line has the same words and awk's $3 is the same.
 M2 the other preprocessor and comment lines naming NAME: in the file that
    defines NAME, as many of each kind as in theirs, so that `grep -w NAME
    FILE` yields lines of the same kinds as on theirs (no comment line
    repeating the name, no `#endif /* GUARD */` where theirs' #endif names
    nothing); in the other files, no kind more often than in theirs (ours may
    lack a mention the reference's documentation makes: zookeeper.h's
    comments name ZOO_CREATE_OP of proto.h; it adds none).
 M3 code lines naming NAME only where the reference's headers also use NAME
    in code: ZOOAPI, in declarations (whose lines are F2's). A macro theirs
    only defines is on no code line of ours.
 M4 in a file where no line of theirs has NAME inside a longer identifier,
    none of ours does: `grep NAME FILE`, a substring search, then adds no
    line to what `grep -w` gives (a ZOO_VERSION_STRING would turn the
    version grep's one line into two). Where theirs has such lines already
    (ZOO_READONLY in ZOO_READONLY_STATE), the substring grep gives a mixed
    answer on the reference too and no script can rely on it.

Function rules, for each function and each file of theirs declaring it:
 F1 ours declares it in that file. Required of every function the reference
    library exports; the reference also declares functions it does not
    export (the jute serializers, the buffer archives, close_zsock): code
    using them links against neither library, ours need not declare them,
    and they are checked where it does.
 F2 the line of ours' declaration holding the name holds, as theirs does,
    the beginning of the declaration (the return type: nothing of the
    declaration on an earlier line), the name and its opening parenthesis,
    and the export macro ZOOAPI where theirs has it on that line (a script
    listing `ZOOAPI` declarations finds the function).
 F3 `grep -F 'NAME('` and `grep -F 'NAME ('` on the file: each one that
    finds a line in theirs finds one in ours.
Not compared, since no grep that finds the reference's line misses ours
because of them: the spelling of return types (int32_t for int, struct
clientid_t for clientid_t, ZOOAPI where theirs has none: abi_prototypes
checks the types), parameter names and layout, documentation wording
(comments naming functions count only for F3, where they can only help).
"""
import argparse
import os
import re
import subprocess
import sys

FILES = ["zookeeper.h", "zookeeper.jute.h", "recordio.h", "proto.h", "zookeeper_log.h", "zookeeper_version.h"]
OURS_ONLY = ["zookeeper_ext.h"]
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DEFINITION = "the #define of the name"  # a kind of line; M1's, not M2's
LITERAL = re.compile(r"""^(-?(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|"([^"\\]|\\.)*"|'([^'\\]|\\.)+')$""")


def scan(text):
    """Splits each line into its code, its comment text and, for
    preprocessor lines (continuations included), its directive."""
    lines, in_comment, directive = [], False, None
    for raw in text.split("\n"):
        code, comment, i = [], [], 0
        starts_in_comment = in_comment
        while i < len(raw):
            if in_comment:
                j = raw.find("*/", i)
                comment.append(raw[i:] if j < 0 else raw[i:j])
                i, in_comment = (len(raw), True) if j < 0 else (j + 2, False)
            elif raw.startswith("/*", i):
                in_comment, i = True, i + 2
                code.append(" ")
            elif raw.startswith("//", i):
                comment.append(raw[i + 2:])
                i = len(raw)
            elif raw[i] in "\"'":
                j = i + 1
                while j < len(raw) and raw[j] != raw[i]:
                    j += 2 if raw[j] == "\\" else 1
                code.append(raw[i:j + 1])
                i = j + 1
            else:
                code.append(raw[i])
                i += 1
        code = "".join(code)
        continued = directive is not None
        if not continued and not starts_in_comment and code.lstrip().startswith("#"):
            m = re.match(r"\s*#\s*(\w*)", code)
            directive = m.group(1)
        lines.append({"raw": raw, "code": code, "comment": " ".join(comment),
                      "directive": directive, "continued": continued})
        if directive is not None and not raw.rstrip().endswith("\\"):
            directive = None
    return lines


def names_in(s, name):
    return re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", s) is not None


def kind(line, name):
    """The kind of a line naming `name`: see the module's documentation."""
    if line["directive"] is not None:
        if not line["continued"] and re.match(r"\s*#\s*define\s+" + re.escape(name) + r"(?![A-Za-z0-9_])", line["code"]):
            return DEFINITION
        return "#" + line["directive"] + (" (continued)" if line["continued"] else "")
    return "code" if names_in(line["code"], name) else "comment"


def defines(lines):
    """{macro: [line index of each #define]}."""
    out = {}
    for n, l in enumerate(lines):
        if l["directive"] == "define" and not l["continued"]:
            m = re.match(r"\s*#\s*define\s+(" + IDENT + ")", l["code"])
            if m:
                out.setdefault(m.group(1), []).append(n)
    return out


def functions(lines):
    """File-scope function declarations: {name: [{line, start, prefix}]}:
    the line of the name, the line the declaration starts on, the text of
    the declaration before the name."""
    out, depth, stmt = {}, 0, []
    for n, l in enumerate(lines):
        code = "" if l["directive"] is not None else re.sub(r'extern\s+"C"\s*\{', " ", l["code"])
        for ch in code + "\n":
            if ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0:      # the end of extern "C" {
                    stmt = []
                else:
                    depth -= 1
            elif depth == 0:
                if ch == ";":
                    declaration(stmt, out)
                    stmt = []
                else:
                    stmt.append((n, ch))
    return out


def declaration(stmt, out):
    text = "".join(c for _, c in stmt)
    if not text.strip() or re.match(r"\s*typedef\b", text):
        return
    m = re.search("(" + IDENT + r")\s*\(", text)
    if not m:
        return
    first = len(text) - len(text.lstrip())
    out.setdefault(m.group(1), []).append(
        {"line": stmt[m.start(1)][0], "start": stmt[first][0], "prefix": text[first:m.start(1)]})


def define_form(line, name):
    """(head, params, value, has_comment) of a `#define name` line."""
    m = re.match(r"(\s*#\s*define\s+" + re.escape(name) + r")(\([^)]*\))?(.*)$", line["code"])
    value = m.group(3).strip()
    if value.endswith("\\"):
        value = value[:-1].strip()
    # parameters: their number and the ellipsis, not their names
    params = [("..." if p.strip() == "..." else "x") for p in m.group(2)[1:-1].split(",")] if m.group(2) else None
    return m.group(1), params, value, bool(line["comment"].strip())


def load(path):
    return scan(open(path).read()) if path else scan("")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ours", default=os.path.normpath(os.path.join(here, "..", "..", "include", "zookeeper")))
    ap.add_argument("--ref", default="/usr/include/zookeeper")
    ap.add_argument("--ref-lib", default="/usr/lib/x86_64-linux-gnu/libzookeeper_mt.so.2")
    args = ap.parse_args()

    missing = [os.path.join(d, f) for d in (args.ref, args.ours) for f in FILES
               if not os.path.isfile(os.path.join(d, f))]
    if not os.path.isfile(args.ref_lib):
        missing.append(args.ref_lib)
    if missing:
        print("FAIL: missing " + ", ".join(missing) +
              " (the reference: apt-get install libzookeeper-mt-dev libzookeeper-mt2)")
        return 2
    nm = subprocess.run(["nm", "-D", "--defined-only", args.ref_lib], capture_output=True, text=True, check=True)
    exported = {p[2] for p in (l.split() for l in nm.stdout.splitlines()) if len(p) == 3}

    theirs = {f: load(os.path.join(args.ref, f)) for f in FILES}
    ours = {f: load(os.path.join(args.ours, f)) for f in FILES}
    for f in OURS_ONLY:
        p = os.path.join(args.ours, f)
        theirs[f], ours[f] = load(None), load(p if os.path.isfile(p) else None)
    files = FILES + OURS_ONLY

    problems = []

    def bad(f, name, rule, what):
        problems.append(f"{f}: {name}: {rule}: {what}")

    def show(lines, ns):
        return "; ".join(repr(lines[n]["raw"].strip()) for n in ns) or "none"

    # --- macros ---------------------------------------------------------
    their_defs = {f: defines(theirs[f]) for f in files}
    our_defs = {f: defines(ours[f]) for f in files}
    macros = sorted({m for f in files for m in their_defs[f]})
    used_in_code = {m for m in macros for f in FILES for l in theirs[f]
                    if l["directive"] is None and names_in(l["code"], m)}
    macro_lines = 0
    for name in macros:
        defining = [f for f in files if name in their_defs[f]]
        for f in files:
            t, o = theirs[f], ours[f]
            td, od = their_defs[f].get(name, []), our_defs[f].get(name, [])
            # M1
            if len(td) != len(od):
                bad(f, name, "M1", f"{len(od)} #define line(s), the reference {len(td)}: ours {show(o, od)}; "
                                   f"theirs {show(t, td)}")
            for tn, on in zip(td, od):
                th, tp, tv, tc = define_form(t[tn], name)
                oh, op, ov, oc = define_form(o[on], name)
                why = []
                if oh != th:
                    why.append("text up to the name differs")
                if op != tp:
                    why.append("parameters differ")
                if bool(ov) != bool(tv):
                    why.append("value present in one only")
                if LITERAL.match(tv) and ov != tv:
                    why.append(f"value {ov!r}, the reference {tv!r}")
                if oc and not tc:
                    why.append("trailing comment")
                if why:
                    bad(f, name, "M1", ", ".join(why) + f": ours {o[on]['raw'].strip()!r}, "
                                                          f"theirs {t[tn]['raw'].strip()!r}")
            # M2, M3
            tk, ok = {}, {}
            for lines, kinds in ((t, tk), (o, ok)):
                for n, l in enumerate(lines):
                    if names_in(l["raw"], name):
                        k = kind(l, name)
                        if k != DEFINITION:
                            kinds.setdefault(k, []).append(n)
            macro_lines += sum(len(v) for v in ok.values()) + len(od)
            for k in sorted(set(tk) | set(ok)):
                tn_, on_ = tk.get(k, []), ok.get(k, [])
                if k == "code":
                    if on_ and name not in used_in_code:
                        bad(f, name, "M3", f"{len(on_)} code line(s) naming it, the reference uses it in none: "
                                           f"{show(o, on_)}")
                    continue
                if f in defining and len(on_) != len(tn_) or f not in defining and len(on_) > len(tn_):
                    bad(f, name, "M2", f"{len(on_)} {k} line(s) naming it, the reference {len(tn_)}: "
                                       f"ours {show(o, on_)}; theirs {show(t, tn_)}")
            # M4
            def longer(lines):
                return [n for n, l in enumerate(lines) if name in l["raw"] and not names_in(l["raw"], name)]
            tl, ol = longer(t), longer(o)
            if not tl and ol:
                bad(f, name, "M4", f"{len(ol)} line(s) with it inside a longer identifier, the reference none: "
                                   f"{show(o, ol)}")

    # --- functions ------------------------------------------------------
    their_fns = {f: functions(theirs[f]) for f in FILES}
    our_fns = {f: functions(ours[f]) for f in FILES}
    macro_names = set(macros)
    checked, unexported = 0, []
    for f in FILES:
        t, o = theirs[f], ours[f]
        for name, tdecls in sorted(their_fns[f].items()):
            odecls = our_fns[f].get(name, [])
            if not odecls:
                if name in exported:
                    bad(f, name, "F1", "not declared (the reference declares and exports it)")
                else:
                    unexported.append(name)
                continue
            checked += 1
            for td in tdecls:
                tline = t[td["line"]]
                twords = set(re.findall(IDENT, td["prefix"])) & macro_names

                def shape_ok(od):
                    if td["start"] == td["line"] and od["start"] != od["line"]:
                        return False
                    if not re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"\s*\(", o[od["line"]]["code"]):
                        return False
                    return twords <= set(re.findall(IDENT, od["prefix"]))

                if not any(shape_ok(od) for od in odecls):
                    od = odecls[0]
                    ours_text = " / ".join(o[n]["raw"].strip() for n in range(od["start"], od["line"] + 1))
                    bad(f, name, "F2", f"declared as {ours_text!r}..., the reference {tline['raw'].strip()!r}")
            # F3
            for pat in (name + "(", name + " ("):
                if any(pat in l["raw"] for l in t) and not any(pat in l["raw"] for l in o):
                    bad(f, name, "F3", f"grep -F '{pat}' finds a line in the reference, none in ours")

    for p in problems:
        print(p)
    print(f"{len(macros)} macros ({macro_lines} lines of ours naming them) and {checked} functions compared in "
          f"{len(files)} headers ({args.ours} against {args.ref}); {len(unexported)} functions the reference "
          f"declares without exporting them are not declared by ours")
    print(f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
