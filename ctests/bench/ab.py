#!/usr/bin/env python3
"""Alternating A/B of zkbench / zkbench_st on two builds of ours against one
standalone server it starts (port ZK_AB_PORT+1, default 27951):

    ab.py BUILD ROUNDS MODES DIR_A DIR_B [SECONDS]

MODES: comma-separated zkbench modes (st_* modes run zkbench_st). DIR_A and
DIR_B hold libzookeeper_mt.so.2 and libzookeeper_st.so.2; each run proves
the library it loaded. Prints the median and range of every figure."""
import os, re, statistics, subprocess, sys, tempfile

build, rounds, modes, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4], sys.argv[5]
secs = sys.argv[6] if len(sys.argv) > 6 else "3"
libs = [("A", a), ("B", b)]
fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixture", "zk.sh")
port = int(os.environ.get("ZK_AB_PORT", "27950"))
d = tempfile.mkdtemp(prefix="zk-ab-")
subprocess.run([fixture, "start", d, "1", str(port)], check=True, capture_output=True)
host = f"127.0.0.1:{port + 1}"
res = {}
try:
    for i in range(rounds):
        for name, path in (libs if i % 2 == 0 else libs[::-1]):
            for m in modes:
                st = m.startswith("st_")
                so = os.path.realpath(os.path.join(path, "libzookeeper_st.so.2" if st else "libzookeeper_mt.so.2"))
                env = dict(os.environ, LD_LIBRARY_PATH=path, ZK_EXPECT_LIB=so)
                p = subprocess.run([os.path.join(build, "zkbench_st" if st else "zkbench"), m, host, secs],
                                   env=env, capture_output=True, text=True, timeout=300)
                lib = re.search(r"^library: (.*)$", p.stdout, re.M)
                r = re.search(r"^RESULT (.*)$", p.stdout, re.M)
                if p.returncode or not r or not lib or not lib.group(1).startswith(os.path.realpath(path)):
                    raise SystemExit(f"{path} {m}: {p.stdout}{p.stderr}")
                for k, v in (kv.split("=") for kv in r.group(1).split()):
                    if re.match(r"^-?[0-9.]+$", v):
                        res.setdefault((m, k, name), []).append(float(v))
finally:
    subprocess.run([fixture, "stop", d], capture_output=True)
for (m, k, name), v in sorted(res.items()):
    print(f"{m:22s} {k:18s} {name} median {statistics.median(v):10.2f}  range {min(v):.2f}-{max(v):.2f}")
