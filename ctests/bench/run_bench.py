#!/usr/bin/env python3
"""Side-by-side benchmark: the same zkbench binary on the reference
libzookeeper_mt (Debian's 3.8.0) and on ours, alternating A B A B against
one 3-node ensemble (the client connected to the leader), plus the
raw-protocol ceiling (zkraw). Prints medians and ratios ours/reference.
Then TLS against plain TCP on ours (the reference has no TLS): one
standalone server with a plain clientPort and a TLS secureClientPort
(ctests/fixture/tls.sh, Netty on both, ssl.clientAuth=need, TLS 1.2),
zkbench alternating plain and TLS (zookeeper_init_ssl) on it.

    run_bench.py BUILD_DIR [ROUNDS] [SECONDS]

ZK_BENCH_PREVIOUS=DIR adds an earlier build of ours (DIR/libzookeeper_mt.so.2)
as a third library in the same rounds (and, in the TLS part, as a second
one over both ports).

Ports: the ensemble uses ZK_BENCH_PORT+1..3 (default 27810), the TLS server
ZK_BENCH_PORT+21 (plain) and +22 (TLS). ZK_BENCH_TLS=0 skips the TLS part;
ZK_BENCH_ONLY=tls runs only it.
"""
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
with_tls = os.environ.get("ZK_BENCH_TLS", "1") != "0"
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
        results = {lib: {m: [] for m in MODES} for lib in libs}
        raw = []
        for r in range(rounds):
            # libraries alternate mode by mode, so that the runs compared
            # are seconds apart (the load of a shared machine drifts)
            for mode in MODES:
                for lib, path in libs.items():
                    results[lib][mode].append(run_zkbench(path, mode, host))
            p = subprocess.run([os.path.join(build, "zkraw"), host, secs], capture_output=True, text=True, timeout=120)
            raw.append(parse(p.stdout))
            print(f"round {r + 1}/{rounds} done", flush=True)
    finally:
        subprocess.run([fixture, "stop", d])

    def med(lib, mode, key):
        return statistics.median(x[key] for x in results[lib][mode])

    rows = []
    met_all = True
    print()
    prev_head = f" {'previous':>12} {'prev/ref':>9}" if previous else ""
    print(f"{'figure':42} {'reference':>12} {'ours':>12} {'ours/ref':>9}{prev_head}  target")
    for label, mode, key, better, target in FIGURES:
        a, b = med("reference", mode, key), med("ours", mode, key)
        ratio = b / a if a else float("inf")
        status = ""
        if target is not None:
            ok = ratio >= target if better == "higher" else ratio <= target
            met_all &= ok
            status = f"{'>=' if better == 'higher' else '<='} {target:g}x  {'met' if ok else 'MISSED'}"
        prev_cols = ""
        if previous:
            c = med("previous", mode, key)
            prev_cols = f" {c:12.1f} {c / a if a else float('inf'):9.2f}"
        print(f"{label:42} {a:12.1f} {b:12.1f} {ratio:9.2f}{prev_cols}  {status}")
        rows.append((label, a, b, ratio, status))
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
    if with_tls:
        print()
        tls_bench()


main()
