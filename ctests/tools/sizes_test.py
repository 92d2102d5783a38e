#!/usr/bin/env python3
"""The sizes in docs/size.md are the sizes of the files: every figure of
the page's two tables is read from docs/size.md and compared with the
file measured now, within ±3 % (at least ±1,000 B). A figure this test
cannot measure fails it, but for the column of the build before issue 16
(history) and, when the file is not on the machine, Debian's
libzookeeper_st.a and the aarch64 library (staged in REPO/build-aarch64/lib
by scripts/aarch64-test.sh), which it reports as skipped.

    sizes_test.py REPO BUILD_DIR CC [--print]

--print writes the two tables with the figures measured now (the "before"
column left empty), to paste into docs/size.md.

Measured: BUILD_DIR/lib (the staged libraries), cargo's output in
REPO/target/release and REPO/target/st/release (the unstripped libraries,
the link maps build.rs has the linker write, the archives), the consumer
(ctests/tools/size_consumer.c) built here against our archives and
Debian's, the way bindings that vendor the C client build theirs; the
breakdown per component by scripts/size-breakdown.py. Debian's files:
/usr/lib/x86_64-linux-gnu (libzookeeper-mt2, -st2, -mt-dev); Debian's
libzookeeper_st.a (libzookeeper-st-dev, which conflicts with
libzookeeper-mt-dev) from $ZK_REF_ST_ARCHIVE, or extracted from a
libzookeeper-st-dev_*.deb in BUILD_DIR or /var/cache/apt/archives
(`apt-get download libzookeeper-st-dev` in BUILD_DIR, as scripts/setup.sh
does).
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

REL, ABS = 0.03, 1000
repo, build, cc = (os.path.abspath(a) if i < 2 else a for i, a in enumerate(sys.argv[1:4]))
print_tables = sys.argv[4:] == ["--print"]
lib = os.path.join(build, "lib")
refdir = "/usr/lib/x86_64-linux-gnu"
tmp = tempfile.mkdtemp(prefix="zk-sizes-")
cargo = {"mt": os.path.join(repo, "target", "release"), "st": os.path.join(repo, "target", "st", "release")}


def size(path):
    return os.path.getsize(path) if path and os.path.exists(path) else None


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"sizes: {' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
    return p.stdout


def ref_st_archive():
    a = os.environ.get("ZK_REF_ST_ARCHIVE") or os.path.join(refdir, "libzookeeper_st.a")
    if os.path.exists(a):
        return a
    debs = sorted(glob.glob(os.path.join(build, "libzookeeper-st-dev_*.deb")) +
                  glob.glob("/var/cache/apt/archives/libzookeeper-st-dev_*.deb"))
    if not debs:
        return None
    run("dpkg-deb", "-x", debs[-1], os.path.join(tmp, "st-dev"))
    a = os.path.join(tmp, "st-dev", refdir.lstrip("/"), "libzookeeper_st.a")
    return a if os.path.exists(a) else None


def consumer(archive, variant, kind, reference):
    """Size of size_consumer.c built against ARCHIVE as a shared object or a program."""
    if not archive:
        return None
    src = os.path.join(repo, "ctests", "tools", "size_consumer.c")
    out = os.path.join(tmp, f"zkc-{'ref' if reference else 'ours'}-{variant}-{kind.replace(' ', '-')}")
    flags = ["-O2"] + ([] if reference else ["-I", os.path.join(repo, "include")])
    flags += ["-DZKC_MT", "-DTHREADED"] if variant == "mt" else []
    if kind == "so":
        run(cc, *flags, "-DZKC_SHARED", "-shared", "-fPIC", src, archive, "-o", out)
    else:
        gc = ["-Wl,--gc-sections"] if kind == "gc program" else []
        run(cc, *flags, *gc, src, archive, "-lpthread", "-ldl", "-lm", "-o", out)
    return size(out)


def newest(pattern):
    files = glob.glob(pattern)
    return max(files, key=os.path.getmtime) if files else None


def breakdown(mode, path):
    """{component: bytes} from scripts/size-breakdown.py."""
    out = run(sys.executable, os.path.join(repo, "scripts", "size-breakdown.py"), "--tsv", mode, path)
    return {comp: int(n) for comp, _, n in (line.split("\t") for line in out.splitlines())}


# --- measurements ----------------------------------------------------------
ref_st_a = ref_st_archive()
files = {}  # row key -> {"ours": bytes, "reference": bytes}
for v in ("mt", "st"):
    files[f"so {v}"] = {"ours": size(f"{lib}/libzookeeper_{v}.so.2.0.0"),
                        "reference": size(f"{refdir}/libzookeeper_{v}.so.2.0.0")}
    ref_a = f"{refdir}/libzookeeper_mt.a" if v == "mt" else ref_st_a
    files[f"a {v}"] = {"ours": size(f"{lib}/libzookeeper_{v}.a"), "reference": size(ref_a)}
    files[f"cargo so {v}"] = {"ours": size(f"{cargo[v]}/libzookeeper_mt.so")}
    files[f"debug {v}"] = {"ours": size(f"{lib}/.debug/libzookeeper_{v}.so.2.0.0.debug")}
    for kind in ("so", "program", "gc program"):
        files[f"consumer {kind} {v}"] = {
            "ours": consumer(f"{lib}/libzookeeper_{v}.a", v, kind, False),
            "reference": consumer(ref_a if ref_a and os.path.exists(ref_a) else None, v, kind, True)}

# aarch64: staged by scripts/aarch64-test.sh (MT only), checked when it is there
a64 = os.path.join(repo, "build-aarch64", "lib")
files["so mt aarch64"] = {"ours": size(f"{a64}/libzookeeper_mt.so.2.0.0")}
files["a mt aarch64"] = {"ours": size(f"{a64}/libzookeeper_mt.a")}

columns = {}  # breakdown column key -> {component: bytes}
for v in ("mt", "st"):
    so_map = newest(f"{cargo[v]}/build/zookeeper_mt-*/out/libzookeeper.map")
    if not so_map:
        sys.exit(f"sizes: no link map in {cargo[v]}/build (build.rs writes it)")
    c = breakdown("so", so_map)
    c["headers and padding"] = files[f"so {v}"]["ours"] - c["total"]
    c["file"] = files[f"so {v}"]["ours"]
    columns[f"so {v}"] = c
    cargo_a = f"{cargo[v]}/libzookeeper_mt.a"
    c = breakdown("archive", cargo_a)
    c["not loaded"] = size(cargo_a) - c["total"]
    c["file"] = size(cargo_a)
    columns[f"cargo a {v}"] = c
    # the slimming link again, with its map; its archive must be the staged one
    slim, slim_map = os.path.join(tmp, f"slim-{v}.a"), os.path.join(tmp, f"slim-{v}.map")
    run(os.path.join(repo, "scripts", "slim-archive.sh"), cargo_a, f"{cargo[v]}/libzookeeper_mt.so", slim, slim_map)
    if open(slim, "rb").read() != open(f"{lib}/libzookeeper_{v}.a", "rb").read():
        sys.exit(f"sizes: {lib}/libzookeeper_{v}.a is not what scripts/slim-archive.sh makes of {cargo_a} now")
    c = breakdown("slim", slim_map)
    c["not loaded"] = size(slim) - c["total"]
    c["file"] = size(slim)
    columns[f"a {v}"] = c


FILE_ROWS = [("`libzookeeper_mt.so.2.0.0`, stripped", "so mt"), ("`libzookeeper_st.so.2.0.0`, stripped", "so st"),
             ("`libzookeeper_mt.a`", "a mt"), ("`libzookeeper_st.a`", "a st"),
             ("`libzookeeper_mt.so.2.0.0`, stripped, aarch64", "so mt aarch64"),
             ("`libzookeeper_mt.a`, aarch64", "a mt aarch64"),
             ("`libzookeeper_mt.so.2.0.0` as cargo leaves it (symbols, debug info)", "cargo so mt"),
             ("`libzookeeper_st.so.2.0.0` as cargo leaves it (symbols, debug info)", "cargo so st"),
             ("`.debug/libzookeeper_mt.so.2.0.0.debug` (-dbgsym)", "debug mt"),
             ("`.debug/libzookeeper_st.so.2.0.0.debug` (-dbgsym)", "debug st"),
             ("consumer shared object, ST", "consumer so st"), ("consumer program, ST", "consumer program st"),
             ("consumer program linked with `--gc-sections`, ST", "consumer gc program st"),
             ("consumer shared object, MT", "consumer so mt"), ("consumer program, MT", "consumer program mt"),
             ("consumer program linked with `--gc-sections`, MT", "consumer gc program mt")]
COMPONENT_COLUMNS = [("`.so` MT", "so mt"), ("`.so` ST", "so st"), ("`.a` MT, as cargo makes it", "cargo a mt"),
                     ("`.a` MT", "a mt"), ("`.a` ST, as cargo makes it", "cargo a st"), ("`.a` ST", "a st")]
if print_tables:
    def b(n):
        return f"{n:,} B" if n is not None else ""
    print("| file (x86-64 but where it says aarch64) | reference (Debian 3.8.0) | before (issue 16) | ours |\n|---|---:|---:|---:|")
    for label, key in FILE_ROWS:
        print(f"| {label} | {b(files[key].get('reference'))} | | {b(files[key]['ours'])} |")
    print()
    print("| component | " + " | ".join(h for h, _ in COMPONENT_COLUMNS) + " |\n|---|" + "---:|" * len(COMPONENT_COLUMNS))
    comps = []
    for c in columns.values():
        comps += [k for k in c if k not in comps and k not in ("total", "file")]
    for comp in comps + ["file"]:
        label = "**total** (the file)" if comp == "file" else comp
        print(f"| {label} | " + " | ".join(b(columns[k].get(comp)) for _, k in COMPONENT_COLUMNS) + " |")
    sys.exit(0)


# --- docs/size.md -----------------------------------------------------------
def tables(text):
    """The markdown tables of the Size page: [(header, [rows])]."""
    if not re.match(r"# Size\b", text):
        sys.exit("sizes: docs/size.md does not start with \"# Size\"")
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cur is None:
                cur = (cells, [])
                out.append(cur)
            elif not all(re.fullmatch(r":?-+:?", c) for c in cells):
                cur[1].append(cells)
        else:
            cur = None
    return out


def figure(cell):
    m = re.search(r"([0-9][0-9,]*) B\b", cell)
    return int(m.group(1).replace(",", "")) if m else None


def file_row(label):
    s = label.replace("`", "")
    m = re.match(r"libzookeeper_mt\.(so\.2\.0\.0, stripped|a), aarch64$", s)
    if m:
        return f"{'so' if m.group(1).startswith('so') else 'a'} mt aarch64"
    for pattern, key in ((r"libzookeeper_(mt|st)\.so\.2\.0\.0, stripped$", "so"),
                         (r"libzookeeper_(mt|st)\.a$", "a"),
                         (r"libzookeeper_(mt|st)\.so\.2\.0\.0 as cargo leaves it", "cargo so"),
                         (r"\.debug/libzookeeper_(mt|st)\.so\.2\.0\.0\.debug", "debug"),
                         (r"consumer shared object, (MT|ST)", "consumer so"),
                         (r"consumer program, (MT|ST)", "consumer program"),
                         (r"consumer program linked with --gc-sections, (MT|ST)", "consumer gc program")):
        m = re.match(pattern, s)
        if m:
            return f"{key} {m.group(1).lower()}"
    return None


def breakdown_column(header):
    s = header.replace("`", "")
    m = re.match(r"(\.so|\.a) (MT|ST)(, as cargo makes it)?$", s)
    if not m:
        return None
    v = m.group(2).lower()
    return f"so {v}" if m.group(1) == ".so" else f"cargo a {v}" if m.group(3) else f"a {v}"


def breakdown_row(label):
    s = label.replace("`", "").replace("*", "").strip()
    if s.startswith("total"):
        return "file"
    if s.startswith("headers and padding"):
        return "headers and padding"
    if s.startswith("not loaded"):
        return "not loaded"
    return s


failures, checked, skipped = [], 0, []


def check(what, readme, measured):
    global checked
    if readme is None and measured is None:
        return
    if readme is None:
        return  # an empty cell: no figure claimed
    if measured is None:
        failures.append(f"{what}: docs/size.md says {readme:,} B, which this test cannot measure")
        return
    checked += 1
    ok = abs(readme - measured) <= max(REL * measured, ABS)
    line = f"{what}: docs/size.md {readme:,} B, measured {measured:,} B ({100 * (readme - measured) / measured:+.1f} %)"
    print(("ok    " if ok else "WRONG ") + line)
    if not ok:
        failures.append(line)


t = tables(open(os.path.join(repo, "docs", "size.md")).read())
file_tables = [x for x in t if x[0][0].lower().startswith("file")]
comp_tables = [x for x in t if x[0][0].lower().startswith("component")]
if len(file_tables) != 1 or len(comp_tables) != 1:
    sys.exit("sizes: docs/size.md should have one table of files and one of components")

header, rows = file_tables[0]
roles = ["history" if "before" in h else "reference" if "reference" in h.lower() else "ours" if "ours" in h else None
         for h in header]
seen = set()
for row in rows:
    key = file_row(row[0])
    if key is None:
        failures.append(f"file table: row {row[0]!r} is not known to this test")
        continue
    seen.add(key)
    for role, cell in zip(roles[1:], row[1:]):
        readme = figure(cell)
        if role == "history" or readme is None:
            continue
        if role is None:
            failures.append(f"file table: column of {row[0]!r} is not known to this test")
            continue
        measured = files[key].get(role)
        if measured is None and role == "reference" and key.endswith(" st") and not ref_st_a:
            skipped.append(f"{row[0]} ({role}): Debian's libzookeeper_st.a is not on this machine")
            continue
        if measured is None and key.endswith(" aarch64"):
            skipped.append(f"{row[0]}: not staged in {a64} (scripts/aarch64-test.sh does it)")
            continue
        check(f"{row[0]} ({role})", readme, measured)
for key in files:
    if key not in seen:
        failures.append(f"file table: no row for {key}")

header, rows = comp_tables[0]
cols = [breakdown_column(h) for h in header[1:]]
for h, c in zip(header[1:], cols):
    if c is None:
        failures.append(f"component table: column {h!r} is not known to this test")
if set(cols) != set(columns):
    failures.append(f"component table: columns should be {sorted(columns)}")
for row in rows:
    comp = breakdown_row(row[0])
    for col, cell in zip(cols, row[1:]):
        if col is None:
            continue
        readme = figure(cell)
        measured = columns[col].get(comp)
        if readme is None and measured and measured > ABS:
            failures.append(f"{row[0]} ({col}): measured {measured:,} B, docs/size.md gives no figure")
            continue
        check(f"{row[0]} ({col})", readme, measured)
listed = {breakdown_row(r[0]) for r in rows}
for col, c in columns.items():
    for comp, n in c.items():
        if comp not in listed and comp != "total" and n > ABS:
            failures.append(f"component table: no row for {comp} ({col}: {n:,} B)")

for s in skipped:
    print("skip  " + s)
print(f"{checked} figures checked against the files (±{100 * REL:g} %, at least ±{ABS:,} B), {len(skipped)} skipped")
if failures:
    print("\n".join(["", "FAILED:"] + failures))
    sys.exit(1)
