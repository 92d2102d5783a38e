// Our scenario through Node's `zookeeper` binding (the npm package, its addon
// linking libzookeeper_st statically and driving it from libuv):
//   walkthrough  nodes created with ZOO_OPEN_ACL_UNSAFE and flags 0 /
//                SEQUENCE / EPHEMERAL / both, get with a watcher, set,
//                children, watch events (the event trace is printed);
//   latency      a request issued from a plain setTimeout timer (outside
//                any ZooKeeper callback) on a connected client is answered
//                within 50 ms (7 samples printed; the median must be under
//                50 ms and none over 500 ms);
//   late_server  a client created before its server is up connects once the
//                server comes up (started 20 s later) and is not closed by
//                the binding meanwhile.
//
//   node scenario.js PACKAGE_DIR HOSTS LATE_DIR LATE_BASE [PART...]
// PACKAGE_DIR is the zookeeper package whose addon is under test; HOSTS a
// running server; LATE_DIR/LATE_BASE where to start the late server with
// $ZK_FIXTURE (its port is LATE_BASE+1, nothing must listen there yet).
// Prints one "PASS part" or "FAIL part: why" line per part and a last line
// "N passed, N failed"; exits non-zero if any part failed.
"use strict";
const { execFile } = require("child_process");
const { join } = require("path");
const fs = require("fs");

const [pkgDir, hosts, lateDir, lateBase, ...only] = process.argv.slice(2);
if (!pkgDir || !hosts || !lateDir || !lateBase || !process.env.ZK_FIXTURE) {
    console.error("usage: ZK_FIXTURE=zk.sh node scenario.js PACKAGE_DIR HOSTS LATE_DIR LATE_BASE [PART...]");
    process.exit(2);
}
const ZooKeeper = require(join(pkgDir, "lib", "zookeeper.js"));
const C = require(join(pkgDir, "lib", "constants.js"));
const LATENCY_LIMIT_MS = 50;
const OUTLIER_LIMIT_MS = 500;
const LATE_START_MS = 20000;

const EVENT_NAMES = { 1: "CREATED", 2: "DELETED", 3: "CHANGED", 4: "CHILD", "-1": "SESSION", "-2": "NOTWATCHING" };
const STATE_NAMES = { 1: "CONNECTING", 3: "CONNECTED", "-112": "EXPIRED", "-113": "AUTH_FAILED" };

function assert(cond, what) {
    if (!cond) throw new Error(what);
}

function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

// One asynchronous call of the binding: resolves with the callback's
// arguments (rc, error, ...), whatever rc is.
function call(zk, method, ...args) {
    return withTimeout(new Promise((resolve) => {
        zk[method](...args, (...res) => resolve(res));
    }), 15000, method);
}

async function ok(zk, method, ...args) {
    const res = await call(zk, method, ...args);
    assert(res[0] === C.ZOK, `${method}(${args[0]}) returned ${res[0]} (${res[1]})`);
    return res.slice(2);
}

function client(connect, timeout) {
    return new ZooKeeper({
        connect,
        timeout: timeout || 10000,
        debug_level: C.ZOO_LOG_LEVEL_WARN,
        host_order_deterministic: false,
    });
}

function connected(zk, ms) {
    return withTimeout(new Promise((resolve, reject) => {
        zk.once("connect", () => resolve());
        zk.once("close", () => reject(new Error("closed before connecting")));
        zk.init({});
    }), ms || 20000, "connect");
}

function closed(zk) {
    return withTimeout(new Promise((resolve) => {
        zk.once("close", () => resolve());
        zk.close();
    }), 15000, "close");
}

// A watch event expected next: the watcher pushes every event it gets into
// `events`; nextEvent waits for the next one not yet taken.
function eventQueue() {
    const events = [];
    const waiters = [];
    return {
        push(type, state, path) {
            const e = { type, state, path };
            console.log(`event: type=${type} (${EVENT_NAMES[type] || "?"}) state=${state} (${STATE_NAMES[state] || "?"}) path=${path}`);
            if (waiters.length) waiters.shift()(e);
            else events.push(e);
        },
        next(what) {
            if (events.length) return Promise.resolve(events.shift());
            return withTimeout(new Promise((resolve) => waiters.push(resolve)), 15000, `event ${what}`);
        },
        get pending() {
            return events.length;
        },
    };
}

async function expectEvent(q, type, path) {
    const e = await q.next(`${EVENT_NAMES[type]} ${path}`);
    assert(e.type === type && e.state === C.ZOO_CONNECTED_STATE && e.path === path,
        `expected event ${EVENT_NAMES[type]} on ${path}, got type=${e.type} state=${e.state} path=${e.path}`);
}

async function walkthrough() {
    const zk = client(hosts);
    await connected(zk);
    const q = eventQueue();
    const watcher = (type, state, path) => q.push(type, state, path);
    const base = `/node-walk-${process.pid}`;
    const sid = zk.client_id;
    assert(typeof sid === "string" && sid !== "0", `client_id ${sid}`);

    // create with the four flag combinations (the binding always passes &ZOO_OPEN_ACL_UNSAFE)
    const [p0] = await ok(zk, "a_create", base, "v0", 0);
    assert(p0 === base, `created ${p0}`);
    const [pSeq] = await ok(zk, "a_create", `${base}/seq-`, "s", C.ZOO_SEQUENCE);
    assert(/^\/node-walk-\d+\/seq-\d{10}$/.test(pSeq), `sequential path ${pSeq}`);
    const [pEph] = await ok(zk, "a_create", `${base}/eph`, "e", C.ZOO_EPHEMERAL);
    assert(pEph === `${base}/eph`, `ephemeral path ${pEph}`);
    const [pBoth] = await ok(zk, "a_create", `${base}/both-`, "b", C.ZOO_EPHEMERAL | C.ZOO_SEQUENCE);
    assert(/\/both-\d{10}$/.test(pBoth), `ephemeral sequential path ${pBoth}`);
    const [acl] = await ok(zk, "a_get_acl", base);
    assert(acl.length === 1 && acl[0].perms === 0x1f && acl[0].scheme === "world" && acl[0].auth === "anyone",
        `acl ${JSON.stringify(acl)}`);
    for (const [p, eph] of [[pSeq, false], [pEph, true], [pBoth, true]]) {
        const [st] = await ok(zk, "a_exists", p, false);
        assert(st.ephemeralOwner === (eph ? sid : "0"), `${p}: ephemeralOwner ${st.ephemeralOwner}, session ${sid}`);
    }
    const [seqSeq] = pSeq.match(/\d{10}$/);
    const [bothSeq] = pBoth.match(/\d{10}$/);
    assert(Number(bothSeq) > Number(seqSeq), `sequence numbers ${seqSeq} then ${bothSeq}`);

    // get with a watcher, then set: CHANGED
    const [st0, data0] = await ok(zk, "aw_get", base, watcher);
    assert(data0.toString() === "v0" && st0.version === 0, `get ${data0} version ${st0.version}`);
    const [st1] = await ok(zk, "a_set", base, "v1", 0);
    assert(st1.version === 1, `set: version ${st1.version}`);
    await expectEvent(q, C.ZOO_CHANGED_EVENT, base);
    const [, data1] = await ok(zk, "a_get", base, false);
    assert(data1.toString() === "v1", `get after set: ${data1}`);

    // children with a watcher, then a new child: CHILD
    const [kids] = await ok(zk, "aw_get_children", base, watcher);
    const want = [pSeq, pEph, pBoth].map((p) => p.slice(base.length + 1)).sort();
    assert(JSON.stringify(kids.slice().sort()) === JSON.stringify(want), `children ${kids}`);
    // exists with a watcher on a node not there yet: CREATED, then DELETED
    const res = await call(zk, "aw_exists", `${base}/later`, watcher);
    assert(res[0] === C.ZNONODE, `exists on a missing node returned ${res[0]}`);
    await ok(zk, "a_create", `${base}/later`, "", 0);
    const first = await q.next("CHILD/CREATED");
    const second = await q.next("CHILD/CREATED");
    const got = [first, second].map((e) => `${e.type} ${e.path}`).sort();
    assert(JSON.stringify(got) === JSON.stringify([`${C.ZOO_CREATED_EVENT} ${base}/later`, `${C.ZOO_CHILD_EVENT} ${base}`].sort()),
        `after creating ${base}/later: ${JSON.stringify([first, second])}`);
    await ok(zk, "aw_exists", `${base}/later`, watcher);
    await ok(zk, "a_delete_", `${base}/later`, -1);
    await expectEvent(q, C.ZOO_DELETED_EVENT, `${base}/later`);

    // a watch set with watch=true reaches the client's emitter ("changed")
    const changed = withTimeout(new Promise((resolve) => zk.once("changed", (...a) => resolve(a))), 15000, "changed on the emitter");
    await ok(zk, "a_get", base, true);
    await ok(zk, "a_set", base, "v2", -1);
    const [, path2] = await changed; // (client, path)
    assert(path2 === base, `"changed" event path ${path2}`);
    assert(q.pending === 0, "unexpected further watch events");

    // the session's ephemerals go with it
    await closed(zk);
    const zk2 = client(hosts);
    await connected(zk2);
    const [after] = await ok(zk2, "a_get_children", base, false);
    assert(JSON.stringify(after) === JSON.stringify([pSeq.slice(base.length + 1)]), `children after close ${after}`);
    await ok(zk2, "a_delete_", pSeq, -1);
    await ok(zk2, "a_delete_", base, -1);
    await closed(zk2);
}

async function latency() {
    const zk = client(hosts, 10000);
    await connected(zk);
    const path = `/node-latency-${process.pid}`;
    await ok(zk, "a_create", path, "x", C.ZOO_EPHEMERAL);
    const samples = [];
    for (let i = 0; i < 7; i++) {
        // idle for a while, then one request from a plain timer callback
        const ms = await new Promise((resolve, reject) => {
            setTimeout(() => {
                const t0 = process.hrtime.bigint();
                zk.a_get(path, false, (rc) => {
                    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
                    if (rc !== C.ZOK) reject(new Error(`a_get returned ${rc}`));
                    else resolve(dt);
                });
            }, 300);
        });
        samples.push(ms);
        console.log(`latency: a_get from a setTimeout callback answered in ${ms.toFixed(2)} ms`);
    }
    await closed(zk);
    // The median is held to the limit: on a loaded 2-core machine the
    // reference itself once took 67 ms for one sample of five. A request
    // left until the next ping turn takes seconds, so no sample may exceed
    // OUTLIER_LIMIT_MS either.
    const sorted = samples.slice().sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const worst = sorted[sorted.length - 1];
    console.log(`latency: median ${median.toFixed(2)} ms, worst ${worst.toFixed(2)} ms of ${samples.length} (limits ${LATENCY_LIMIT_MS} ms, ${OUTLIER_LIMIT_MS} ms)`);
    assert(median < LATENCY_LIMIT_MS, `requests from a timer took ${median.toFixed(2)} ms (median; limit ${LATENCY_LIMIT_MS} ms)`);
    assert(worst < OUTLIER_LIMIT_MS, `a request from a timer took ${worst.toFixed(2)} ms (limit ${OUTLIER_LIMIT_MS} ms)`);
}

function fixture(...args) {
    return new Promise((resolve, reject) => {
        execFile(process.env.ZK_FIXTURE, args, (err, stdout, stderr) => {
            if (err) reject(new Error(`zk.sh ${args.join(" ")}: ${err.message} ${stderr}`));
            else resolve(stdout);
        });
    });
}

async function lateServer() {
    const port = Number(lateBase) + 1;
    // the session timeout of the package's own integration tests
    // (tests/integration/helpers/createClient.js): the binding calls
    // zookeeper_interest every timeout/3 while connecting, so some twelve
    // connection attempts are refused before the server is up
    const zk = client(`127.0.0.1:${port}`, 5000);
    const t0 = Date.now();
    let closedAt = null;
    let closing = false;
    zk.on("close", () => {
        if (closing) return;
        closedAt = Date.now() - t0;
        console.log(`late_server: the binding closed the client after ${closedAt} ms`);
    });
    const up = new Promise((resolve) => zk.once("connect", () => resolve(Date.now() - t0)));
    zk.init({});
    let started;
    const timer = new Promise((resolve) => setTimeout(resolve, LATE_START_MS));
    try {
        await timer;
        console.log(`late_server: starting the server on port ${port} after ${Date.now() - t0} ms`);
        await fixture("start", lateDir, "1", lateBase);
        started = Date.now() - t0;
        console.log(`late_server: server up after ${started} ms`);
        assert(closedAt === null, `the binding closed the client after ${closedAt} ms, before the server was up`);
        const at = await withTimeout(up, 30000, "connect once the server is up");
        console.log(`late_server: connected after ${at} ms`);
        assert(closedAt === null, `closed after ${closedAt} ms, before connecting`);
        const [p] = await ok(zk, "a_create", `/node-late-${process.pid}`, "", C.ZOO_EPHEMERAL);
        assert(p === `/node-late-${process.pid}`, `create on the late server: ${p}`);
        closing = true;
        await closed(zk);
    } catch (e) {
        if (closedAt !== null && !/before the server/.test(e.message)) {
            throw new Error(`${e.message}; the binding had closed the client after ${closedAt} ms`);
        }
        throw e;
    } finally {
        if (closedAt === null && !closing) {
            closing = true;
            zk.close();
        }
        await fixture("stop", lateDir).catch(() => {});
    }
}

async function main() {
    // the addon links the library statically: no libzookeeper is mapped
    const maps = fs.readFileSync("/proc/self/maps", "utf8");
    const mapped = maps.split("\n").filter((l) => /libzookeeper/.test(l));
    const parts = [["walkthrough", walkthrough], ["latency", latency], ["late_server", lateServer]]
        .filter(([name]) => only.length === 0 || only.includes(name));
    let passed = 0;
    let failed = 0;
    if (mapped.length) {
        console.log(`FAIL maps: a shared libzookeeper is mapped: ${mapped[0]}`);
        failed++;
    }
    for (const [name, fn] of parts) {
        const t0 = Date.now();
        try {
            await fn();
            console.log(`PASS ${name} (${Date.now() - t0} ms)`);
            passed++;
        } catch (e) {
            console.log(`FAIL ${name}: ${e.message} (${Date.now() - t0} ms)`);
            failed++;
        }
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

main();
