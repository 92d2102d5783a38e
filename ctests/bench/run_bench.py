#!/usr/bin/env python3
"""Side-by-side benchmark: the same zkbench binary on the reference
libzookeeper_mt (Debian's 3.8.0) and on ours, alternating A B A B against
one 3-node ensemble (the client connected to the leader), plus the
raw-protocol ceiling (zkraw). Prints medians and ratios ours/reference.
Then TLS against plain TCP on ours (the reference has no TLS): one
standalone server with a plain clientPort and a TLS secureClientPort
(ctests/fixture/tls.sh, Netty on both, ssl.clientAuth=need, TLS 1.2),
zkbench alternating plain and TLS (zookeeper_init_ssl) on it.
The single-threaded library is measured in the same rounds against the same
ensemble: zkbench_st (a poll() loop driving zookeeper_interest and
zookeeper_process, built without THREADED) on ours and on earlier builds,
zkbench_st_ref (the same source built against Debian's libzookeeper_st.so.2)
on the reference; its rows ("ST ...") follow the others in the table.

    run_bench.py BUILD_DIR [ROUNDS] [SECONDS]

ZK_BENCH_PREVIOUS=DIR adds an earlier build of ours (DIR/libzookeeper_mt.so.2,
and DIR/libzookeeper_st.so.2 for the ST rows) as a third library in the
same rounds (and, in the TLS part, as a second one over both ports).

Ports: the ensemble uses ZK_BENCH_PORT+1..3 (default 27810), the TLS server
ZK_BENCH_PORT+21 (plain) and +22 (TLS). ZK_BENCH_TLS=0 skips the TLS part;
ZK_BENCH_ONLY=tls runs only it. ZK_BENCH_ST=0 skips the ST modes;
ZK_BENCH_ONLY=st runs only them (no zkraw, no TLS). ZK_BENCH_JSON=FILE
writes every run's RESULT values there (per library, mode, round).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

build = os.path.abspath(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
secs = sys.argv[3] if len(sys.argv) > 3 else "3"
here = os.path.dirname(os.path.abspath(__file__))
fixture = os.path.join(here, "..", "fixture", "zk.sh")
tls_fixture = os.path.join(here, "..", "fixture", "tls.sh")
base_port = int(os.environ.get("ZK_BENCH_PORT", "27810"))
only = os.environ.get("ZK_BENCH_ONLY", "")
with_tls = os.environ.get("ZK_BENCH_TLS", "1") != "0" and only != "st"
with_st = os.environ.get("ZK_BENCH_ST", "1") != "0"
with_mt = only != "st"
ours = os.path.join(build, "lib")
ref = "/usr/lib/x86_64-linux-gnu"
libs = {"reference": ref, "ours": ours}
# ZK_BENCH_PREVIOUS=DIR (a directory holding an earlier build's
# libzookeeper_mt.so.2) adds it as a third library in the same rounds, to
# compare with what ours was before a change under the same load.
previous = os.environ.get("ZK_BENCH_PREVIOUS")
if previous:
    libs["previous"] = os.path.abspath(previous)

MODES = ["aget", "aset", "acreate_delete", "sync_get", "mt_sync_get", "connect", "fanout", "large", "idle_mem"]
# (label, mode, key, better, target ratio ours/reference or None)
FIGURES = [
    ("async get throughput (ops/s)", "aget", "ops_per_s", "higher", 1.3),
    ("client CPU per async get (us)", "aget", "cpu_us_per_op", "lower", 0.3),
    ("async set throughput (ops/s)", "aset", "ops_per_s", "higher", None),
    ("client CPU per async set (us)", "aset", "cpu_us_per_op", "lower", None),
    ("async create+delete (ops/s)", "acreate_delete", "ops_per_s", "higher", None),
    ("sync get p50 (us)", "sync_get", "p50_us", "lower", 1.0),
    ("sync get p99 (us)", "sync_get", "p99_us", "lower", 1.0),
    ("client CPU per sync get (us)", "sync_get", "cpu_us_per_call", "lower", 0.5),
    ("4 threads sync get, one handle (ops/s)", "mt_sync_get", "ops_per_s", "higher", None),
    ("connect latency p50 (us)", "connect", "p50_us", "lower", 1.0),
    ("watch fan-out, 5000 events (ms)", "fanout", "all_events_ms", "lower", 0.5),
    ("512 KiB get throughput (MiB/s)", "large", "mib_per_s", "higher", None),
    ("memory per idle session (KiB)", "idle_mem", "kib_per_session", "lower", 1.0),
]
# The single-threaded library (zkbench_st; same columns)
ST_MODES = ["st_aget", "st_aset", "st_get_latency", "st_get_latency_rearm", "st_connect", "st_idle_mem"]
ST_FIGURES = [
    ("ST async get throughput (ops/s)", "st_aget", "ops_per_s", "higher", None),
    ("ST client CPU per async get (us)", "st_aget", "cpu_us_per_op", "lower", None),
    ("ST async set throughput (ops/s)", "st_aset", "ops_per_s", "higher", None),
    ("ST client CPU per async set (us)", "st_aset", "cpu_us_per_op", "lower", None),
    ("ST get latency p50 (us)", "st_get_latency", "p50_us", "lower", None),
    ("ST get latency p99 (us)", "st_get_latency", "p99_us", "lower", None),
    ("ST client CPU per get, one at a time (us)", "st_get_latency", "cpu_us_per_call", "lower", None),
    ("ST get p50, loop re-armed before call (us)", "st_get_latency_rearm", "p50_us", "lower", None),
    ("ST connect latency p50 (us)", "st_connect", "p50_us", "lower", None),
    ("ST memory per idle session (KiB)", "st_idle_mem", "kib_per_session", "lower", None),
]
ST_REF_LIB = os.path.join(ref, "libzookeeper_st.so.2")
TLS_MODES = ["aget", "sync_get", "connect"]
# (label, mode, key)
TLS_FIGURES = [
    ("async get throughput (ops/s)", "aget", "ops_per_s"),
    ("client CPU per async get (us)", "aget", "cpu_us_per_op"),
    ("sync get p50 (us)", "sync_get", "p50_us"),
    ("client CPU per sync get (us)", "sync_get", "cpu_us_per_call"),
    ("connect latency p50 (us)", "connect", "p50_us"),
]


def parse(out):
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        raise RuntimeError(out)
    return {k: (float(v) if re.match(r"^-?[0-9.]+$", v) else v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def run_zkbench(path, mode, host, extra_env=None):
    env = dict(os.environ, LD_LIBRARY_PATH=path,
               ZK_EXPECT_LIB=os.path.realpath(os.path.join(path, "libzookeeper_mt.so.2")), **(extra_env or {}))
    p = subprocess.run([os.path.join(build, "zkbench"), mode, host, secs], env=env,
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"{path} {mode}: {p.stdout}{p.stderr}")
    lib_line = re.search(r"^library: (.*)$", p.stdout, re.M).group(1)
    assert lib_line.startswith(os.path.realpath(path)), (path, lib_line)
    return parse(p.stdout)


def run_zkbench_st(lib, path, mode, host):
    """zkbench_st on ours or an earlier build of ours (LD_LIBRARY_PATH
    overrides its RUNPATH), zkbench_st_ref on the reference; both prove the
    library they loaded (ZK_EXPECT_LIB) and print it."""
    so = ST_REF_LIB if lib == "reference" else os.path.join(path, "libzookeeper_st.so.2")
    prog = "zkbench_st_ref" if lib == "reference" else "zkbench_st"
    env = dict(os.environ, LD_LIBRARY_PATH=path, ZK_EXPECT_LIB=os.path.realpath(so))
    p = subprocess.run([os.path.join(build, prog), mode, host, secs], env=env,
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"{path} {mode}: {p.stdout}{p.stderr}")
    lib_line = re.search(r"^library: (.*)$", p.stdout, re.M).group(1)
    assert lib_line == os.path.realpath(so), (so, lib_line)
    return parse(p.stdout)


def tls_bench():
    d = tempfile.mkdtemp(prefix="zk-bench-tls-")
    plain_port, tls_port = base_port + 21, base_port + 22
    subprocess.run([tls_fixture, "start", d, str(plain_port), str(tls_port), "need"], check=True)
    c = os.path.join(d, "certs")
    cert = ",".join(os.path.join(c, f) for f in ("ca.pem", "client.pem", "client.key"))
    variants = {"plain": (f"127.0.0.1:{plain_port}", {}),
                "TLS": (f"127.0.0.1:{tls_port}", {"ZKBENCH_TLS_CERT": cert})}
    # with ZK_BENCH_PREVIOUS, the earlier build runs the same modes in the same rounds
    tls_libs = {"ours": ours, **({"previous": libs["previous"]} if previous else {})}
    results = {(lib, v): {m: [] for m in TLS_MODES} for lib in tls_libs for v in variants}
    try:
        print(f"TLS server in {d}: plain 127.0.0.1:{plain_port}, TLS 127.0.0.1:{tls_port} (clientAuth=need)")
        for host, env in variants.values():  # warm the server's JIT on both paths; not counted
            run_zkbench(ours, "aget", host, env)
        for r in range(rounds):
            for mode in TLS_MODES:
                for v, (host, env) in variants.items():
                    for lib, path in tls_libs.items():
                        results[(lib, v)][mode].append(run_zkbench(path, mode, host, env))
            print(f"TLS round {r + 1}/{rounds} done", flush=True)
    finally:
        subprocess.run([tls_fixture, "stop", d])

    def med(lib, v, mode, key):
        return statistics.median(x[key] for x in results[(lib, v)][mode])

    def spread(lib, v, mode, key):
        xs = [x[key] for x in results[(lib, v)][mode]]
        return f"{min(xs):.1f}-{max(xs):.1f}"

    print()
    print(f"ours over TLS against ours over plain TCP, one standalone server (Netty), {rounds} rounds, medians (min-max)")
    prev_head = f" {'prev plain':>10} {'prev TLS':>10} {'TLS/plain':>9}" if previous else ""
    print(f"{'figure':36} {'plain':>10} {'TLS':>10} {'TLS/plain':>9}{prev_head}   plain range / TLS range")
    for label, mode, key in TLS_FIGURES:
        a, b = med("ours", "plain", mode, key), med("ours", "TLS", mode, key)
        prev_cols = ""
        if previous:
            c, e = med("previous", "plain", mode, key), med("previous", "TLS", mode, key)
            prev_cols = f" {c:10.1f} {e:10.1f} {e / c if c else float('inf'):9.2f}"
        print(f"{label:36} {a:10.1f} {b:10.1f} {b / a if a else float('inf'):9.2f}{prev_cols}   "
              f"{spread('ours', 'plain', mode, key)} / {spread('ours', 'TLS', mode, key)}")


def st_ranges(spread):
    """The spread of the ST rows, library by library."""
    names = [lib for lib in libs if lib in st_libs]
    print("ST rows, min-max over the rounds: " + " / ".join(names))
    for label, mode, key, _, _ in ST_FIGURES:
        print(f"  {label:42} " + " / ".join(spread(lib, mode, key) for lib in names))


# The ST modes run on the same libraries: ours and the previous build from
# the libzookeeper_st.so.2 beside their libzookeeper_mt.so.2 (a previous
# build without one is left out of the ST rows), the reference from ST_REF_LIB.
st_libs = {lib: path for lib, path in libs.items()
           if lib == "reference" or os.path.exists(os.path.join(path, "libzookeeper_st.so.2"))}
if previous and "previous" not in st_libs:
    print(f"no libzookeeper_st.so.2 in {previous}: the ST rows have no previous column", file=sys.stderr)


def main():
    if only == "tls":
        tls_bench()
        return
    d = tempfile.mkdtemp(prefix="zk-bench-")
    subprocess.run([fixture, "start", d, "3", str(base_port)], check=True)
    try:
        leader = subprocess.run([fixture, "leader", d], capture_output=True, text=True).stdout.split()[0]
        port = open(os.path.join(d, f"port.{leader}")).read().strip()
        host = f"127.0.0.1:{port}"
        print(f"ensemble of 3 in {d}; benchmarks connect to the leader, server {leader} ({host})")
        mt_modes = MODES if with_mt else []
        st_modes = ST_MODES if with_st else []
        results = {lib: {m: [] for m in mt_modes + st_modes} for lib in libs}
        raw = []
        for r in range(rounds):
            # libraries alternate mode by mode, so that the runs compared
            # are seconds apart (the load of a shared machine drifts)
            for mode in mt_modes:
                for lib, path in libs.items():
                    results[lib][mode].append(run_zkbench(path, mode, host))
            for mode in st_modes:
                for lib, path in st_libs.items():
                    results[lib][mode].append(run_zkbench_st(lib, path, mode, host))
            if with_mt:
                p = subprocess.run([os.path.join(build, "zkraw"), host, secs], capture_output=True, text=True, timeout=120)
                raw.append(parse(p.stdout))
            print(f"round {r + 1}/{rounds} done", flush=True)
    finally:
        subprocess.run([fixture, "stop", d])
        if os.environ.get("ZK_BENCH_JSON") and "results" in locals():
            with open(os.environ["ZK_BENCH_JSON"], "w") as f:
                json.dump({"results": results, "raw": raw}, f, indent=1)

    def med(lib, mode, key):
        return statistics.median(x[key] for x in results[lib][mode])

    def spread(lib, mode, key):
        xs = [x[key] for x in results[lib][mode]]
        return f"{min(xs):.1f}-{max(xs):.1f}"

    rows = []
    met_all = True
    print()
    prev_head = f" {'previous':>12} {'prev/ref':>9}" if previous else ""
    print(f"{'figure':42} {'reference':>12} {'ours':>12} {'ours/ref':>9}{prev_head}  target")
    figures = (FIGURES if with_mt else []) + (ST_FIGURES if with_st else [])
    for label, mode, key, better, target in figures:
        a, b = med("reference", mode, key), med("ours", mode, key)
        ratio = b / a if a else float("inf")
        status = ""
        if target is not None:
            ok = ratio >= target if better == "higher" else ratio <= target
            met_all &= ok
            status = f"{'>=' if better == 'higher' else '<='} {target:g}x  {'met' if ok else 'MISSED'}"
        prev_cols = ""
        if previous and results["previous"][mode]:
            c = med("previous", mode, key)
            prev_cols = f" {c:12.1f} {c / a if a else float('inf'):9.2f}"
        print(f"{label:42} {a:12.1f} {b:12.1f} {ratio:9.2f}{prev_cols}  {status}")
        rows.append((label, a, b, ratio, status))
    if not with_mt:
        print(f"\n{rounds} rounds, medians (min-max):")
        st_ranges(spread)
        return
    raw_ops = statistics.median(x["ops_per_s"] for x in raw)
    raw_cpu = statistics.median(x["cpu_us_per_op"] for x in raw)
    ours_get = med("ours", "aget", "ops_per_s")
    ref_get = med("reference", "aget", "ops_per_s")
    share = ours_get / raw_ops
    met_all &= share >= 0.9
    print(f"{'raw-protocol ceiling, async get (ops/s)':42} {raw_ops:12.0f}   (client CPU {raw_cpu:.2f} us/op)")
    prev_share = f" {med('previous', 'aget', 'ops_per_s') / raw_ops:12.0%}" if previous else ""
    print(f"{'share of the ceiling':42} {ref_get / raw_ops:12.0%} {share:12.0%}          {prev_share}  >= 90%  {'met' if share >= 0.9 else 'MISSED'}")
    print(f"\n{rounds} rounds, medians; {'all targets met' if met_all else 'some targets missed'}")
    if with_st:
        st_ranges(spread)
    if with_tls:
        print()
        tls_bench()


main()
