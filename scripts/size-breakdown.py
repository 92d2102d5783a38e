#!/usr/bin/env python3
"""What each part of the library adds to the shared library and to the
static archive, per crate and per component (docs/size.md).

  size-breakdown.py so MAP...        the link map of the shared library
                                     (build.rs has the linker write it:
                                     target/.../build/zookeeper_mt-*/out/
                                     libzookeeper.map)
  size-breakdown.py archive LIB.a... the objects of a static archive as
                                     cargo makes it, per crate (debug
                                     info and LLVM bitcode not counted)
  size-breakdown.py slim MAP...      the map of the `ld -r --gc-sections`
                                     link that makes the slimmed archive
                                     (scripts/slim-archive.sh MAP): what it
                                     keeps, per crate

Counted: the bytes of the sections a program loads (code; read-only data,
including relocated constants; unwind tables; writable data), attributed
to the crate whose object holds them. Generic code is where it was
instantiated (but std's backtrace printer, told by its function names) (std's `Vec<T>` methods for rustls' types count for rustls),
inlined code where it was inlined. "linker" is what the linker makes
(dynamic symbols, relocations, GOT, the .eh_frame index, merged strings).
With several inputs, one column each. --tsv (first argument): lines of
component, column number, bytes.
"""
import collections
import re
import subprocess
import sys

# crate -> component
COMPONENTS = [
    ("ours", ["zookeeper_mt", "zk_log_message"]),
    ("std, core, alloc", ["std", "core", "alloc", "panic_unwind", "unwind", "compiler_builtins",
                               "hashbrown", "std_detect", "memchr", "libc", "cfg_if", "rustc_std_workspace_core",
                               "rustc_std_workspace_alloc", "panic_abort"]),
    ("std's backtrace printer", ["gimli", "addr2line", "object", "miniz_oxide", "adler2", "rustc_demangle"]),
    ("rustls, webpki", ["rustls", "webpki", "rustls_webpki", "rustls_pki_types", "once_cell", "subtle",
                                   "zeroize"]),
    ("ring", ["ring", "untrusted", "getrandom"]),
    ("PKCS#8 decryption", ["pkcs8", "pkcs5", "der", "spki", "const_oid", "pem_rfc7468", "base64ct", "aes", "cbc", "cipher", "inout",
      "block_padding", "crypto_common", "generic_array", "typenum", "cpufeatures", "pbkdf2", "hmac", "digest",
      "block_buffer", "scrypt", "salsa20", "sha2", "rand_core"]),
    ("parking_lot", ["parking_lot", "parking_lot_core", "lock_api", "scopeguard", "smallvec"]),
    ("bytes", ["bytes"]),
]
COMPONENT_OF = {c: name for name, crates in COMPONENTS for c in crates}
LINKER = "made by the linker"
KINDS = ["code", "read-only data", "unwind tables", "data"]


def kind_of(section):
    """The kind of an output section a program loads, or None."""
    s = section
    if s.startswith((".text", ".init", ".fini", ".plt")) and not s.startswith((".init_array", ".fini_array")):
        return "code"
    if s.startswith((".rodata", ".data.rel.ro", ".lrodata")):
        return "read-only data"
    if s.startswith((".eh_frame", ".gcc_except_table")):
        return "unwind tables"
    if s.startswith((".data", ".tdata", ".init_array", ".fini_array", ".got")):
        return "data"
    if s.startswith((".dynsym", ".dynstr", ".gnu.hash", ".hash", ".gnu.version", ".rela", ".dynamic",
                     ".note", ".relro_padding", ".relr")):
        return "linker"
    return None  # not loaded (.bss, .tbss take no file space; debug info, symbols)


def crate_of(path):
    """The crate an input object belongs to, from its path in a map."""
    if path.startswith("<internal>"):
        return None
    m = re.search(r"\(([^()]*)\)$", path)  # archive(member)
    member = m.group(1) if m else path
    archive = path[:m.start()] if m else ""
    base = member.rsplit("/", 1)[-1]
    # rustc's LTO objects: zookeeper_mt.<crate>-<hash>.<crate>.<hash>-cgu.N.rcgu.o.rcgu.o
    m = re.match(r"zookeeper_mt\.([A-Za-z0-9_]+)-[0-9a-f]{16}\.", base)
    if m:
        return m.group(1)
    # objects of a crate's archive: <crate>-<hash>.<crate>.<hash>-cgu.N.rcgu.o
    m = re.match(r"([A-Za-z0-9_]+)-[0-9a-f]{16}\.", base)
    if m:
        return m.group(1)
    # C and assembly objects built by the cc crate: <hash>-<file>.o (ring's,
    # and src/log_message.c)
    m = re.match(r"[0-9a-f]{16}-(.*)\.o$", base)
    if m:
        return "zk_log_message" if m.group(1) == "log_message" else "ring"
    # the allocator shim and other objects of the crate itself
    if base.startswith("zookeeper_mt."):
        return "zookeeper_mt"
    m = re.search(r"lib([A-Za-z0-9_]+?)(-[0-9a-f]{16})?\.(rlib|a)$", archive)
    if m:
        return m.group(1)
    return base


BACKTRACE_NAMES = ("backtrace_rs", "gimli", "addr2line", "miniz_oxide", "rustc_demangle", "symbolize")


def refine(crate, section):
    """std's backtrace printer is mostly generic code instantiated in std:
    its functions are told by their (mangled) section names."""
    if crate in ("std", "core", "alloc") and any(n in section for n in BACKTRACE_NAMES):
        return "gimli"
    return crate


def parse_lld_map(path):
    """{(crate, kind): bytes} from an lld -Map file."""
    sizes = collections.Counter()
    out = None
    base = None  # the column of output section names; inputs are 8 further, symbols 16
    for line in open(path, errors="replace"):
        f = line.split(None, 4)
        if len(f) < 5 or not re.fullmatch(r"[0-9a-f]+", f[0]):
            continue
        col = line.index(f[4], len(" ".join(f[:4])))
        text = f[4].rstrip("\n")
        if base is None:
            base = col
        if col == base:
            out = text.strip()
            continue
        if col != base + 8 or out is None:
            continue  # a symbol line
        k = kind_of(out)
        if k is None:
            continue
        size = int(f[2], 16)
        obj, sec = (text[:text.rindex(":(")], text[text.rindex(":(") + 2:]) if ":(" in text else (text, "")
        c = crate_of(obj)
        c = refine(c, sec) if c else c
        sizes[(c or "linker", "linker" if c is None else k)] += size
    return sizes


def parse_gnu_map(path):
    """{(crate, kind): bytes} from a GNU ld -Map file (kept input sections)."""
    sizes = collections.Counter()
    started = False
    pending = None
    for line in open(path, errors="replace"):
        if line.startswith("Linker script and memory map"):
            started = True
            continue
        if not started:
            continue
        m = re.match(r"^ (\.\S+)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m and (m.group(1) or pending):
            sec = m.group(1) or pending
            pending = None
            k = kind_of(sec)
            if k is None or k == "linker":
                continue
            sizes[(refine(crate_of(m.group(4).strip()), sec), k)] += int(m.group(3), 16)
        else:
            pending = None
    return sizes


def parse_archive(path):
    """{(crate, kind): bytes} of every object in an archive."""
    out = subprocess.run(["size", "-A", path], capture_output=True, text=True, check=True).stdout
    sizes = collections.Counter()
    crate = None
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+\(ex (.*)\):$", line)
        if m:
            crate = crate_of(f"{m.group(2)}({m.group(1)})")
            continue
        f = line.split()
        if crate and len(f) == 3 and f[1].isdigit():
            k = kind_of(f[0])
            if k and k != "linker":
                sizes[(refine(crate, f[0]), k)] += int(f[1])
    return sizes


def tsv(columns):
    """component, column, bytes: one line each (for ctests/tools/sizes_test.py)."""
    for ci, sizes in enumerate(columns):
        per = collections.Counter()
        for (crate, kind), n in sizes.items():
            per[LINKER if crate == "linker" else COMPONENT_OF.get(crate, "other")] += n
        for comp, n in per.items():
            print(f"{comp}\t{ci}\t{n}")
        print(f"total\t{ci}\t{sum(per.values())}")


def report(columns, titles):
    comps = collections.OrderedDict((name, collections.Counter()) for name, _ in COMPONENTS)
    comps["other"] = collections.Counter()
    comps[LINKER] = collections.Counter()
    crates = collections.defaultdict(collections.Counter)
    for ci, sizes in enumerate(columns):
        for (crate, kind), n in sizes.items():
            comp = LINKER if crate == "linker" else COMPONENT_OF.get(crate, "other")
            comps[comp][ci] += n
            comps[comp][(ci, kind)] += n
            if crate != "linker":
                crates[crate][ci] += n
    totals = [sum(s.values()) for s in columns]
    w = max(10, *(len(t) for t in titles))
    print("per component, bytes (share of the column's total):\n")
    print(f"{'component':<28}" + "".join(f" {t:>{w + 8}}" for t in titles))
    for name, c in comps.items():
        if not any(c[i] for i in range(len(columns))):
            continue
        cells = "".join(f" {c[i]:>{w},} ({100 * c[i] / totals[i]:4.1f}%)" if totals[i] else f" {'':>{w + 8}}"
                        for i in range(len(columns)))
        print(f"{name[:28]:<28}{cells}")
    print(f"{'total':<28}" + "".join(f" {t:>{w},}        " for t in totals))
    print("\nper kind, first column:\n")
    for name, c in comps.items():
        parts = ", ".join(f"{k} {c[(0, k)]:,}" for k in KINDS if c[(0, k)])
        if parts:
            print(f"  {name[:60]:<60} {parts}")
    print("\nper crate, bytes:\n")
    for crate, c in sorted(crates.items(), key=lambda kv: -kv[1][0]):
        print(f"  {crate:<28} {COMPONENT_OF.get(crate, 'other')[:24]:<24}" +
              "".join(f" {c[i]:>{w},}" for i in range(len(columns))))


def main():
    args = sys.argv[1:]
    as_tsv = args[:1] == ["--tsv"]
    args = args[1:] if as_tsv else args
    if len(args) < 2 or args[0] not in ("so", "archive", "slim"):
        sys.exit(__doc__)
    parse = {"so": parse_lld_map, "archive": parse_archive, "slim": parse_gnu_map}[args[0]]
    columns = [parse(f) for f in args[1:]]
    if as_tsv:
        tsv(columns)
    else:
        report(columns, [f.rsplit("/", 1)[-1][:24] for f in args[1:]])


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
