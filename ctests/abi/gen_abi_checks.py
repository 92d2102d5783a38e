#!/usr/bin/env python3
"""Generates the ABI checks from the reference headers (Debian's
libzookeeper-mt-dev, /usr/include/zookeeper):

  gen_abi_checks.py REFDIR dump OUT.c    a program printing sizeof/offsetof of
                                          every struct member, every enum and
                                          macro value and every data symbol
  gen_abi_checks.py REFDIR protos OUT.c  our headers followed by every exported
                                          function prototype of the reference:
                                          a conflicting type fails to compile
"""
import re
import subprocess
import sys

refdir, mode, out = sys.argv[1], sys.argv[2], sys.argv[3]


def read(name):
    text = open(f"{refdir}/{name}").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def drop_blocks(text, conds):
    """Removes #if(n)def blocks for conditions we do not build with."""
    out, stack = [], []
    for line in text.split("\n"):
        s = line.strip()
        m = re.match(r"#\s*if(n?)def\s+(\w+)", s) or re.match(r"#\s*if\s+(\!?)defined\((\w+)\)", s)
        if m:
            neg, name = m.group(1) in ("n", "!"), m.group(2)
            skip = (name in conds) != neg and name in conds or (neg and name not in conds and False)
            stack.append(name in conds and not neg)
            continue
        if s.startswith("#if"):
            stack.append(False)
            continue
        if s.startswith("#else"):
            if stack:
                stack[-1] = not stack[-1] if stack[-1] in (True,) else stack[-1]
            continue
        if s.startswith("#endif"):
            if stack:
                stack.pop()
            continue
        if any(stack):
            continue
        out.append(line)
    return "\n".join(out)


SKIP = {"WIN32", "HAVE_OPENSSL_H", "HAVE_CYRUS_SASL_H", "DLL_EXPORT", "_WIN32"}
headers = {n: drop_blocks(read(n), SKIP) for n in
           ["zookeeper.h", "zookeeper.jute.h", "recordio.h", "proto.h", "zookeeper_log.h", "zookeeper_version.h"]}

exported = set()
nm = subprocess.run(["nm", "-D", "--defined-only", sys.argv[4] if len(sys.argv) > 4 else
                     "/usr/lib/x86_64-linux-gnu/libzookeeper_mt.so.2"], capture_output=True, text=True).stdout
for line in nm.split("\n"):
    parts = line.split()
    if len(parts) == 3:
        exported.add(parts[2])


def field_names(body):
    names = []
    for decl in body.split(";"):
        decl = decl.strip()
        if not decl:
            continue
        m = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)
        if m:
            names.append(m.group(1))
            continue
        m = re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", decl)
        if m:
            names.append(m.group(1))
    return names


def dump():
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include <string.h>',
             '#include <zookeeper/zookeeper.h>', '#include <zookeeper/zookeeper_log.h>',
             '#include <zookeeper/proto.h>', '#include <zookeeper/zookeeper_version.h>',
             '#define L(T, m) printf("offsetof(%s, %s) = %zu\\n", #T, #m, offsetof(T, m))',
             '#define S(T) printf("sizeof(%s) = %zu\\n", #T, sizeof(T))',
             '#define I(x) printf("%s = %lld\\n", #x, (long long)(x))',
             '#define STR(x) printf("%s = \\"%s\\"\\n", #x, x)',
             'static void acl(const char *n, struct ACL_vector *v) {',
             '  printf("%s.count = %d\\n", n, v->count);',
             '  for (int i = 0; i < v->count; i++) printf("%s[%d] = %d %s %s\\n", n, i, v->data[i].perms, v->data[i].id.scheme, v->data[i].id.id);',
             '}',
             'int main(void) {']
    # structs with a tag
    for name in ["recordio.h", "zookeeper.jute.h"]:
        for m in re.finditer(r"struct\s+(\w+)\s*\{(.*?)\};", headers[name], re.S):
            tag, body = m.group(1), m.group(2)
            lines.append(f"  S(struct {tag});")
            for f in field_names(body):
                lines.append(f"  L(struct {tag}, {f});")
    # typedef'd structs of zookeeper.h
    zk = headers["zookeeper.h"]
    for m in re.finditer(r"typedef\s+struct\s*\w*\s*\{([^{}]*)\}\s*(\w+)\s*;", zk, re.S):
        body, name = m.group(1), m.group(2)
        if name == "zoo_op_t":
            continue
        lines.append(f"  S({name});")
        for f in field_names(body):
            lines.append(f"  L({name}, {f});")
    # zoo_op_t: members of the anonymous union's structs
    lines.append("  S(zoo_op_t);")
    lines.append("  L(zoo_op_t, type);")
    opm = re.search(r"typedef struct zoo_op \{.*?union\s*\{(.*)\};\s*\}\s*zoo_op_t;", zk, re.S)
    for sm in re.finditer(r"struct\s*\{(.*?)\}\s*(\w+)\s*;", opm.group(1), re.S):
        for f in field_names(sm.group(1)):
            lines.append(f"  L(zoo_op_t, {sm.group(2)}.{f});")
    # enums
    for em in re.finditer(r"enum\s*\w*\s*\{(.*?)\}", zk, re.S):
        for v in re.finditer(r"(\w+)\s*=", em.group(1)):
            lines.append(f"  I({v.group(1)});")
    for em in re.finditer(r"typedef\s+enum\s*\{(.*?)\}\s*(\w+)", zk, re.S):
        lines.append(f"  S({em.group(2)});")
    # macros
    for name, text in headers.items():
        for mm in re.finditer(r"#define\s+(\w+)\s+(\S.*)", text):
            macro, val = mm.group(1), mm.group(2).strip()
            if macro.endswith("_H_") or macro.startswith("__") or macro in ("ZOOAPI", "LOGSTREAM"):
                continue
            if val.startswith('"'):
                lines.append(f"  STR({macro});")
            elif re.match(r"^-?\d+$", val):
                lines.append(f"  I({macro});")
    # data symbols
    for dm in re.finditer(r"extern\s+ZOOAPI\s+const\s+int\s+(\w+)\s*;", zk):
        lines.append(f"  I({dm.group(1)});")
    for dm in re.finditer(r"extern\s+ZOOAPI\s+struct\s+ACL_vector\s+(\w+)\s*;", zk):
        lines.append(f'  acl("{dm.group(1)}", &{dm.group(1)});')
        lines.append(f"  S({dm.group(1)});")
    for dm in re.finditer(r"extern\s+ZOOAPI\s+struct\s+Id\s+(\w+)\s*;", zk):
        n = dm.group(1)
        lines.append(f'  printf("{n} = %s %s\\n", {n}.scheme, {n}.id);')
    lines.append("  I(logLevel);")
    lines.append("  S(logLevel);")
    lines.append("  return 0;\n}")
    return "\n".join(lines) + "\n"


def protos():
    lines = ["#include <zookeeper/zookeeper.h>", "#include <zookeeper/zookeeper_log.h>", "#include <stdarg.h>",
             "/* Every exported function, declared again exactly as the reference declares it. */"]
    seen = set()
    for name in ["zookeeper.h", "zookeeper.jute.h", "recordio.h", "zookeeper_log.h"]:
        text = headers[name].replace("ZOOAPI", "")
        text = re.sub(r"#[^\n]*", "", text)
        for decl in re.split(r"[;{}]", text):
            d = " ".join(decl.split())
            m = re.match(r"^(?:extern\s+)?[\w\s\*]+?\b(\w+)\s*\((.*)\)$", d)
            if not m or "typedef" in d or "(*" in d.split("(")[0]:
                continue
            fn = m.group(1)
            if fn not in exported or fn in seen:
                continue
            seen.add(fn)
            lines.append(d + ";")
    lines.append(f"/* {len(seen)} prototypes */")
    lines.append("int main(void) { return 0; }")
    return "\n".join(lines) + "\n"


open(out, "w").write(dump() if mode == "dump" else protos())
