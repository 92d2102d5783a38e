/* zkpython-compatible `zookeeper` module for Python 3, over the public C API
 * of libzookeeper_mt (include/zookeeper/zookeeper.h; this repository's Rust
 * implementation, or another libzookeeper_mt chosen at build time).
 *
 * Handles are small integers, as in zkpython. Watchers and completions run
 * on the library's completion thread and take the GIL only for the Python
 * call; blocking calls release the GIL while they wait.
 *
 * Lifetimes (the reasons this file is longer than zkpython's):
 *
 * - Every callable handed to the library lives in a context (`pyctx`) with a
 *   reference count: one reference for the library ("lib_ref") plus one for
 *   each running use (a callback being called, a blocking call waiting). The
 *   library's reference is dropped at the library's last possible use of the
 *   context: a completion after it has been called; a path watcher after its
 *   node event (the watch is then removed), or right away when the read that
 *   would have set it failed (the library sets a watch only for the result
 *   codes the reference does); anything left when `zookeeper_close` has
 *   returned on a thread that is not the handle's completion thread (from
 *   then on the library calls nothing of that handle).
 * - `close(h)` from one of h's own callbacks (on h's completion thread, where
 *   the library would still run the queued completions after returning)
 *   hands the real `zookeeper_close` to a short-lived thread; the handle
 *   number stays reserved until that close has returned and every context of
 *   the handle is released.
 * - Handle numbers (slots) are taken under the GIL before it is released for
 *   `zookeeper_init`, and a slot becomes free again only when its handle is
 *   closed, its contexts are released and no blocking call still uses it; the
 *   lowest free number is handed out, as zkpython does.
 * - Interpreter exit: an atexit hook closes every open handle (their pending
 *   completions are called with CLOSING while Python is still whole), then
 *   marks the module finalising and waits until no callback is between its
 *   check of that mark and its Python call; later callbacks are dropped
 *   without touching Python. */
#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE
#include <Python.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

/* ---- exceptions --------------------------------------------------------- */

static PyObject *ZooKeeperException;

typedef struct {
    int code;
    const char *name;
    PyObject *exc;
} exc_entry;

static exc_entry exceptions[] = {
    { ZSYSTEMERROR, "SystemErrorException", 0 },
    { ZRUNTIMEINCONSISTENCY, "RuntimeInconsistencyException", 0 },
    { ZDATAINCONSISTENCY, "DataInconsistencyException", 0 },
    { ZCONNECTIONLOSS, "ConnectionLossException", 0 },
    { ZMARSHALLINGERROR, "MarshallingErrorException", 0 },
    { ZUNIMPLEMENTED, "UnimplementedException", 0 },
    { ZOPERATIONTIMEOUT, "OperationTimeoutException", 0 },
    { ZBADARGUMENTS, "BadArgumentsException", 0 },
    { ZINVALIDSTATE, "InvalidStateException", 0 },
    { ZNEWCONFIGNOQUORUM, "NewConfigNoQuorumException", 0 },
    { ZRECONFIGINPROGRESS, "ReconfigInProgressException", 0 },
    { ZAPIERROR, "ApiErrorException", 0 },
    { ZNONODE, "NoNodeException", 0 },
    { ZNOAUTH, "NoAuthException", 0 },
    { ZBADVERSION, "BadVersionException", 0 },
    { ZNOCHILDRENFOREPHEMERALS, "NoChildrenForEphemeralsException", 0 },
    { ZNODEEXISTS, "NodeExistsException", 0 },
    { ZNOTEMPTY, "NotEmptyException", 0 },
    { ZSESSIONEXPIRED, "SessionExpiredException", 0 },
    { ZINVALIDCALLBACK, "InvalidCallbackException", 0 },
    { ZINVALIDACL, "InvalidACLException", 0 },
    { ZAUTHFAILED, "AuthFailedException", 0 },
    { ZCLOSING, "ClosingException", 0 },
    { ZNOTHING, "NothingException", 0 },
    { ZSESSIONMOVED, "SessionMovedException", 0 },
    { ZNOTREADONLY, "NotReadOnlyException", 0 },
    { ZEPHEMERALONLOCALSESSION, "EphemeralOnLocalSessionException", 0 },
    { ZNOWATCHER, "NoWatcherException", 0 },
    { ZRECONFIGDISABLED, "ReconfigDisabledException", 0 },
    { ZSESSIONCLOSEDREQUIRESASLAUTH, "SessionClosedRequireSaslAuthException", 0 },
    { ZTHROTTLEDOP, "ThrottledOpException", 0 },
};
#define NEXC ((int)(sizeof exceptions / sizeof exceptions[0]))

/* Sets the exception for a result code and returns NULL. */
static PyObject *raise_rc(int rc) {
    PyObject *exc = ZooKeeperException;
    for (int i = 0; i < NEXC; i++)
        if (exceptions[i].code == rc) exc = exceptions[i].exc;
    PyErr_SetString(exc, zerror(rc));
    return NULL;
}

/* ---- handles and callback contexts -------------------------------------- */

/* The context of a Python watcher or completion. */
typedef struct pyctx {
    int handle;
    PyObject *callback; /* NULL: an internal completion that only settles `watch` */
    int permanent;      /* a default watcher: the library may use it until close */
    int refs;           /* lib_ref plus running uses */
    int lib_ref;        /* the library may still call it */
    struct pyctx *watch; /* a completion's watcher, released if the read fails */
    int watch_kind;     /* WATCH_DATA, WATCH_EXISTS or WATCH_CHILD */
    struct pyctx *prev, *next; /* the slot's list of contexts not yet released */
} pyctx;

enum { WATCH_DATA, WATCH_EXISTS, WATCH_CHILD };

/* Whether the library set the watch of a read that ended with `rc` (the
 * reference: data and child watches on success, exist watches on success
 * or ZNONODE). */
static int watch_set(int kind, int rc) {
    return rc == ZOK || (kind == WATCH_EXISTS && rc == ZNONODE);
}

enum { SLOT_FREE, SLOT_RESERVED, SLOT_OPEN, SLOT_CLOSING, SLOT_CLOSED };

typedef struct {
    int state;
    zhandle_t *zh;       /* while OPEN or CLOSING */
    pyctx *watcher;      /* the default watcher's context, if any */
    pyctx live;          /* list head of every context not yet released */
    int busy;            /* blocking calls using zh with the GIL released */
    atomic_int lib_done; /* a deferred zookeeper_close has returned */
    PyObject *cid_pass;  /* the password object given to init, if any */
    long long cid_id;
    char cid_raw[16];
    void *sasl_callbacks; /* init_sasl: the library's callback block (malloc) */
    struct sasl_secret *sasl_secret; /* and the password it answers */
} handle_slot;

#define MAX_HANDLES 32768
static handle_slot *slots;
static int nslots; /* slots ever used: [0, nslots) */

static atomic_int finalizing;  /* no callback may enter Python any more */
static atomic_long in_flight;  /* callbacks past the finalizing check */
static atomic_int reapers;     /* deferred closes still running */
static atomic_int reaped;      /* deferred closes done, not yet collected */
static __thread int tls_slot = -1; /* the handle whose callback this thread runs */

/* All of the following run with the GIL held. */

static void slot_maybe_free(int h) {
    handle_slot *s = &slots[h];
    if (s->state == SLOT_CLOSED && s->live.next == &s->live && s->busy == 0) {
        s->state = SLOT_FREE;
        s->zh = NULL;
        s->watcher = NULL;
        atomic_store(&s->lib_done, 0);
        Py_CLEAR(s->cid_pass);
    }
}

static pyctx *ctx_new(int h, PyObject *cb, int permanent) {
    pyctx *c = PyMem_RawCalloc(1, sizeof *c);
    if (!c) {
        PyErr_NoMemory();
        return NULL;
    }
    Py_XINCREF(cb);
    c->handle = h;
    c->callback = cb;
    c->permanent = permanent;
    c->refs = 1;
    c->lib_ref = 1;
    pyctx *head = &slots[h].live;
    c->next = head->next;
    c->prev = head;
    head->next->prev = c;
    head->next = c;
    return c;
}

/* Drops one reference; the last one unlinks and frees the context (the
 * callable's reference is dropped last: that may run arbitrary code). */
static void ctx_release(pyctx *c) {
    if (!c || --c->refs > 0) return;
    int h = c->handle;
    PyObject *cb = c->callback;
    c->prev->next = c->next;
    c->next->prev = c->prev;
    PyMem_RawFree(c);
    slot_maybe_free(h);
    Py_XDECREF(cb);
}

/* The library will not call this context again: drop its reference once. */
static void ctx_drop(pyctx *c) {
    if (c && c->lib_ref) {
        c->lib_ref = 0;
        ctx_release(c);
    }
}

/* The same for a one-shot context; default watchers last until close. */
static void ctx_done(pyctx *c) {
    if (c && !c->permanent) ctx_drop(c);
}

static void free_sasl(void *callbacks, struct sasl_secret *secret);

/* The handle's close has returned: the library holds nothing of it any more.
 * Drops the library's reference of every context left and frees its SASL
 * callbacks and password. */
static void finish_close(int h) {
    handle_slot *s = &slots[h];
    free_sasl(s->sasl_callbacks, s->sasl_secret);
    s->sasl_callbacks = NULL;
    s->sasl_secret = NULL;
    s->zh = NULL;
    s->watcher = NULL;
    s->state = SLOT_CLOSED;
    /* take the whole list first: releasing may run code that closes or
     * opens other handles, never this one (it is no longer OPEN) */
    pyctx work;
    if (s->live.next == &s->live) {
        slot_maybe_free(h);
        return;
    }
    work.next = s->live.next;
    work.prev = s->live.prev;
    work.next->prev = &work;
    work.prev->next = &work;
    s->live.next = s->live.prev = &s->live;
    while (work.next != &work) {
        pyctx *c = work.next;
        /* back into the slot's list: ctx_release unlinks from there */
        c->prev->next = c->next;
        c->next->prev = c->prev;
        c->next = s->live.next;
        c->prev = &s->live;
        s->live.next->prev = c;
        s->live.next = c;
        ctx_drop(c);
    }
    slot_maybe_free(h);
}

/* Collects the handles whose deferred close has returned. */
static void collect_reaped(void) {
    if (!atomic_exchange(&reaped, 0)) return;
    for (int h = 0; h < nslots; h++)
        if (slots[h].state == SLOT_CLOSING && atomic_load(&slots[h].lib_done)) finish_close(h);
}

static int collect_pending(void *unused) {
    collect_reaped();
    return 0;
}

static int get_slot(int h) {
    collect_reaped();
    if (h < 0 || h >= nslots) {
        PyErr_SetString(ZooKeeperException, "zhandle out of range");
        return 0;
    }
    if (slots[h].state != SLOT_OPEN) {
        PyErr_SetString(ZooKeeperException, "zhandle already freed");
        return 0;
    }
    return 1;
}

/* The zhandle of an open handle. Called after every step that may run
 * Python code (argument conversion), right before the library call. */
#define HANDLE(h, zh)                       \
    zhandle_t *zh;                          \
    if (!get_slot(h)) return NULL;          \
    zh = slots[h].zh

/* A blocking call marks its slot busy while the GIL is released. */
static void busy_leave(int h) {
    slots[h].busy--;
    slot_maybe_free(h);
}

/* Before zookeeper_init: a blocking call that read the zhandle of a handle
 * closed since may not have entered the library yet; once the library has
 * freed that handle, a new one could get the same address. Wait (briefly:
 * such a call returns at once on a closed handle) until none is left. */
static void wait_stale_calls(void) {
    for (int i = 0; i < 5000; i++) {
        int stale = 0;
        for (int h = 0; h < nslots && !stale; h++)
            stale = slots[h].busy > 0 && (slots[h].state == SLOT_CLOSING || slots[h].state == SLOT_CLOSED);
        if (!stale) return;
        Py_BEGIN_ALLOW_THREADS
        usleep(1000);
        Py_END_ALLOW_THREADS
        collect_reaped();
    }
}

static int reserve_slot(void) {
    for (int i = 0; i < nslots; i++)
        if (slots[i].state == SLOT_FREE) {
            slots[i].state = SLOT_RESERVED;
            return i;
        }
    if (nslots == MAX_HANDLES) return -1;
    handle_slot *s = &slots[nslots];
    s->live.next = s->live.prev = &s->live;
    s->state = SLOT_RESERVED;
    return nslots++;
}

/* ---- conversions ---------------------------------------------------------- */

static PyObject *build_stat(const struct Stat *s) {
    if (!s) Py_RETURN_NONE;
    return Py_BuildValue("{s:L,s:L,s:L,s:L,s:i,s:i,s:i,s:L,s:i,s:i,s:L}", "czxid", (long long)s->czxid, "mzxid",
                         (long long)s->mzxid, "ctime", (long long)s->ctime, "mtime", (long long)s->mtime, "version",
                         s->version, "cversion", s->cversion, "aversion", s->aversion, "ephemeralOwner",
                         (long long)s->ephemeralOwner, "dataLength", s->dataLength, "numChildren", s->numChildren,
                         "pzxid", (long long)s->pzxid);
}

/* Node data: str when it is UTF-8 (as zkpython gives it), bytes otherwise, None when null. */
static PyObject *build_value(const char *v, int len) {
    if (!v || len < 0) Py_RETURN_NONE;
    PyObject *s = PyUnicode_DecodeUTF8(v, len, NULL);
    if (s) return s;
    PyErr_Clear();
    return PyBytes_FromStringAndSize(v, len);
}

static PyObject *build_strings(const struct String_vector *sv) {
    PyObject *l = PyList_New(sv ? sv->count : 0);
    if (!l || !sv) return l;
    for (int i = 0; i < sv->count; i++) {
        PyObject *s = PyUnicode_DecodeUTF8(sv->data[i], strlen(sv->data[i]), "surrogateescape");
        if (!s) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i, s);
    }
    return l;
}

static PyObject *build_acls(const struct ACL_vector *a) {
    PyObject *l = PyList_New(a ? a->count : 0);
    if (!l || !a) return l;
    for (int i = 0; i < a->count; i++) {
        PyObject *d = Py_BuildValue("{s:i,s:s,s:s}", "perms", a->data[i].perms, "scheme", a->data[i].id.scheme, "id",
                                    a->data[i].id.id);
        if (!d) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i, d);
    }
    return l;
}

static void free_acls(struct ACL_vector *v) {
    for (int i = 0; i < v->count; i++) {
        free(v->data[i].id.scheme);
        free(v->data[i].id.id);
    }
    free(v->data);
    v->data = NULL;
    v->count = 0;
}

/* A list of {"perms", "scheme", "id"} dicts; raises InvalidACLException
 * otherwise. Works on a snapshot of the list (lookups may run code). */
static int parse_acls(PyObject *o, struct ACL_vector *v) {
    v->count = 0;
    v->data = NULL;
    if (!PyList_Check(o)) {
        raise_rc(ZINVALIDACL);
        return 0;
    }
    PyObject *t = PySequence_Tuple(o);
    if (!t) return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(t);
    if (n > INT32_MAX / 2) {
        Py_DECREF(t);
        raise_rc(ZINVALIDACL);
        return 0;
    }
    v->data = calloc(n ? n : 1, sizeof(struct ACL));
    if (!v->data) {
        Py_DECREF(t);
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *e = PyTuple_GET_ITEM(t, i);
        PyObject *perms = NULL, *scheme = NULL, *id = NULL;
        if (PyDict_Check(e)) {
            perms = PyDict_GetItemString(e, "perms");
            Py_XINCREF(perms);
            scheme = PyDict_GetItemString(e, "scheme");
            Py_XINCREF(scheme);
            id = PyDict_GetItemString(e, "id");
            Py_XINCREF(id);
        }
        int ok = perms && scheme && id && PyLong_Check(perms) && PyUnicode_Check(scheme) && PyUnicode_Check(id);
        const char *s = ok ? PyUnicode_AsUTF8(scheme) : NULL, *d = ok ? PyUnicode_AsUTF8(id) : NULL;
        long p = ok ? PyLong_AsLong(perms) : 0;
        if (ok && (!s || !d || (p == -1 && PyErr_Occurred()))) ok = -1;
        if (ok == 1) {
            v->data[i].perms = (int32_t)p;
            v->data[i].id.scheme = strdup(s);
            v->data[i].id.id = strdup(d);
            v->count = (int32_t)(i + 1);
            if (!v->data[i].id.scheme || !v->data[i].id.id) ok = -2;
        }
        Py_XDECREF(perms);
        Py_XDECREF(scheme);
        Py_XDECREF(id);
        if (ok != 1) {
            Py_DECREF(t);
            free_acls(v);
            if (ok == 0) raise_rc(ZINVALIDACL);
            else if (ok == -2) PyErr_NoMemory();
            return 0;
        }
    }
    Py_DECREF(t);
    return 1;
}

/* A callable or None; raises TypeError otherwise. */
static int check_callable(PyObject *o, const char *what) {
    if (o == Py_None || PyCallable_Check(o)) return 1;
    PyErr_Format(PyExc_TypeError, "%s must be callable or None", what);
    return 0;
}

/* ---- dispatch from the library's threads ---------------------------------- */

#if PY_VERSION_HEX >= 0x030D0000
#define interpreter_finalizing() Py_IsFinalizing()
#else
#define interpreter_finalizing() _Py_IsFinalizing()
#endif

/* Takes the GIL for a callback unless the module is finalising (then the
 * callback is dropped: 0). A callback counted in `in_flight` before its
 * check is waited for by the atexit hook, so none can reach
 * PyGILState_Ensure once the interpreter has begun to go away. */
static int enter_python(PyGILState_STATE *g) {
    atomic_fetch_add(&in_flight, 1);
    if (atomic_load(&finalizing) || interpreter_finalizing()) {
        atomic_fetch_sub(&in_flight, 1);
        return 0;
    }
    *g = PyGILState_Ensure();
    return 1;
}

static void leave_python(PyGILState_STATE g) {
    PyGILState_Release(g);
    atomic_fetch_sub(&in_flight, 1);
}

/* Calls `cb(*args)`; an exception is reported as unraisable and does not
 * disturb the library. Steals `args`. */
static void call_python(PyObject *cb, PyObject *args) {
    if (!args) {
        PyErr_WriteUnraisable(cb);
        return;
    }
    PyObject *r = PyObject_CallObject(cb, args);
    if (!r) PyErr_WriteUnraisable(cb);
    Py_XDECREF(r);
    Py_DECREF(args);
}

static void watcher_dispatch(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    pyctx *c = ctx;
    PyGILState_STATE g;
    if (!c || !enter_python(&g)) return;
    int saved = tls_slot;
    tls_slot = c->handle;
    c->refs++;
    call_python(c->callback, Py_BuildValue("(iiis)", c->handle, type, state, path ? path : ""));
    /* a node event (or NOTWATCHING) removes the watch: its last call;
     * session events leave it set, and what is left is released at close */
    if (type != ZOO_SESSION_EVENT) ctx_done(c);
    ctx_release(c);
    tls_slot = saved;
    leave_python(g);
}

/* Completions: the callable (if any) is called once; the context and, when
 * the read did not set its watch, the watcher's context are released. */
#define DISPATCH_BEGIN(data)          \
    pyctx *c = (pyctx *)(data);       \
    PyGILState_STATE g;               \
    if (!c || !enter_python(&g)) return; \
    int saved = tls_slot;             \
    tls_slot = c->handle;             \
    c->refs++;
#define DISPATCH_END(rc)                                              \
    if (c->watch && !watch_set(c->watch_kind, (rc))) ctx_done(c->watch); \
    c->watch = NULL;                                                  \
    ctx_drop(c);                                                      \
    ctx_release(c);                                                   \
    tls_slot = saved;                                                 \
    leave_python(g);

static void void_dispatch(int rc, const void *data) {
    DISPATCH_BEGIN(data)
    if (c->callback) call_python(c->callback, Py_BuildValue("(ii)", c->handle, rc));
    DISPATCH_END(rc)
}

static void stat_dispatch(int rc, const struct Stat *stat, const void *data) {
    DISPATCH_BEGIN(data)
    if (c->callback) call_python(c->callback, Py_BuildValue("(iiN)", c->handle, rc, build_stat(rc == ZOK ? stat : NULL)));
    DISPATCH_END(rc)
}

static void data_dispatch(int rc, const char *value, int len, const struct Stat *stat, const void *data) {
    DISPATCH_BEGIN(data)
    if (c->callback)
        call_python(c->callback, Py_BuildValue("(iiNN)", c->handle, rc, build_value(rc == ZOK ? value : NULL, len),
                                               build_stat(rc == ZOK ? stat : NULL)));
    DISPATCH_END(rc)
}

static void strings_dispatch(int rc, const struct String_vector *sv, const void *data) {
    DISPATCH_BEGIN(data)
    if (c->callback) call_python(c->callback, Py_BuildValue("(iiN)", c->handle, rc, build_strings(rc == ZOK ? sv : NULL)));
    DISPATCH_END(rc)
}

static void string_dispatch(int rc, const char *value, const void *data) {
    DISPATCH_BEGIN(data)
    if (c->callback) call_python(c->callback, Py_BuildValue("(iiz)", c->handle, rc, rc == ZOK ? value : NULL));
    DISPATCH_END(rc)
}

static void acl_dispatch(int rc, struct ACL_vector *acl, struct Stat *stat, const void *data) {
    DISPATCH_BEGIN(data)
    if (c->callback)
        call_python(c->callback, Py_BuildValue("(iiNN)", c->handle, rc, build_acls(rc == ZOK ? acl : NULL),
                                               build_stat(rc == ZOK ? stat : NULL)));
    DISPATCH_END(rc)
}

/* The watcher argument of a read, checked before the handle is looked up
 * (a comparison may run Python code). Passing the handle's own default
 * watcher (an equal callable) is the C API's `watch=1`: the default
 * watcher's context is used, so the library sees one watcher and a session
 * event reaches it once, as in C. *use_default tells which. */
static int check_watcher(int h, PyObject *w, int *use_default) {
    *use_default = 0;
    if (!check_callable(w, "watcher")) return 0;
    if (w == Py_None || h < 0 || h >= nslots || slots[h].state != SLOT_OPEN || !slots[h].watcher) return 1;
    PyObject *d = slots[h].watcher->callback;
    Py_INCREF(d);
    int eq = PyObject_RichCompareBool(w, d, Py_EQ);
    Py_DECREF(d);
    if (eq < 0) return 0;
    *use_default = eq;
    return 1;
}

/* The watcher's context, once the handle is known to be open (no Python
 * code runs between the lookup and the library call). */
static int watcher_ctx(int h, PyObject *w, int use_default, pyctx **out) {
    *out = NULL;
    if (w == Py_None) return 1;
    if (use_default && slots[h].watcher) {
        *out = slots[h].watcher; /* permanent: released at close */
        return 1;
    }
    *out = ctx_new(h, w, 0);
    return *out != NULL;
}

/* ---- SASL (init_sasl, init_ssl with sasl_options) --------------------------- */

/* The library's SASL types (include/zookeeper/zookeeper.h; upstream's
 * layouts), declared here so that the module builds against any zookeeper.h
 * (upstream's declares them only with <sasl/sasl.h>) and needs no Cyrus
 * headers: the callback array is an opaque block made by the library. */
typedef int (*sasl_password_cb)(const char *content, size_t content_len, void *context, char *buf, size_t buf_size,
                                size_t *passwd_len);
typedef struct {
    const char *password_file;
    void *context;
    sasl_password_cb callback;
} sasl_password;
typedef struct {
    const char *service;
    const char *host;
    const char *mechlist;
    const void *callbacks;
} sasl_params;
typedef void *(*make_password_callbacks_fn)(const char *user, const char *realm, sasl_password *password);
typedef zhandle_t *(*init_sasl_fn)(const char *host, watcher_fn fn, int recv_timeout, const clientid_t *clientid,
                                   void *context, int flags, void (*log_callback)(const char *), sasl_params *params);
typedef zhandle_t *(*init_ssl_sasl_fn)(const char *host, const char *cert, watcher_fn fn, int recv_timeout,
                                       const clientid_t *clientid, void *context, int flags,
                                       void (*log_callback)(const char *), sasl_params *params);

#define SASL_OK 0
#define SASL_BUFOVER (-3)
#define DIGEST_MD5_HOST "zk-sasl-md5" /* the Java server's DIGEST-MD5 name */

/* The password, a C copy the library's IO thread reads at every
 * (re)authentication without Python: freed (wiped) after zookeeper_close. */
struct sasl_secret {
    size_t len;
    char pw[];
};

static int sasl_password_answer(const char *content, size_t content_len, void *context, char *buf, size_t buf_size,
                                size_t *passwd_len) {
    const struct sasl_secret *s = context;
    if (!s || !buf || !passwd_len) return -1; /* SASL_FAIL */
    if (s->len > buf_size) return SASL_BUFOVER;
    memcpy(buf, s->pw, s->len);
    *passwd_len = s->len;
    return SASL_OK;
}

static void free_sasl(void *callbacks, struct sasl_secret *secret) {
    free(callbacks); /* the library's malloc'ed block */
    if (secret) {
        explicit_bzero(secret->pw, secret->len);
        free(secret);
    }
}

/* sasl_options, parsed: C copies (no Python object is used once parsing is
 * done, so nothing the caller does meanwhile can invalidate them). */
typedef struct {
    char *mechanism, *service, *host, *realm, *username;
    struct sasl_secret *password;
} sasl_opts;

static void sasl_opts_free(sasl_opts *o) {
    free(o->mechanism);
    free(o->service);
    free(o->host);
    free(o->realm);
    free(o->username);
    free_sasl(NULL, o->password);
    memset(o, 0, sizeof *o);
}

/* A str option without NUL characters, copied; `none_ok`: None gives NULL. */
static int sasl_str(PyObject *v, const char *key, int none_ok, char **out) {
    Py_ssize_t n;
    const char *p;
    if (v == Py_None && none_ok) return 1;
    if (!PyUnicode_Check(v)) {
        PyErr_Format(PyExc_TypeError, "sasl_options['%s'] must be str%s, not %.100s", key, none_ok ? " or None" : "",
                     Py_TYPE(v)->tp_name);
        return 0;
    }
    if (!(p = PyUnicode_AsUTF8AndSize(v, &n))) return 0;
    if ((size_t)n != strlen(p)) {
        PyErr_Format(PyExc_ValueError, "sasl_options['%s'] contains a NUL character", key);
        return 0;
    }
    if (!(*out = strdup(p))) {
        PyErr_NoMemory();
        return 0;
    }
    return 1;
}

/* Parses the sasl_options dict (see init_sasl's docstring). Raises TypeError
 * for a wrong type, an unknown key or a missing required key, ValueError for
 * an empty mechanism, user name or password and for NUL characters. */
static int parse_sasl_options(PyObject *d, sasl_opts *o) {
    static const char *keys[] = { "username", "password", "mechanism", "service", "host", "realm", NULL };
    PyObject *key, *v;
    Py_ssize_t pos = 0;
    int have_host = 0;
    memset(o, 0, sizeof *o);
    if (!PyDict_Check(d)) {
        PyErr_Format(PyExc_TypeError, "sasl_options must be a dict, not %.100s", Py_TYPE(d)->tp_name);
        return 0;
    }
    while (PyDict_Next(d, &pos, &key, &v)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        int i = 0;
        if (!k) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "sasl_options keys must be str");
            goto fail;
        }
        while (keys[i] && strcmp(keys[i], k) != 0) i++;
        if (!keys[i]) {
            PyErr_Format(PyExc_TypeError,
                         "unknown sasl_options key '%.100s' (known: username, password, mechanism, service, host, realm)",
                         k);
            goto fail;
        }
        int ok = 1;
        switch (i) {
        case 0: ok = sasl_str(v, "username", 0, &o->username); break;
        case 1: {
            const char *p = NULL;
            Py_ssize_t n = 0;
            if (PyUnicode_Check(v)) p = PyUnicode_AsUTF8AndSize(v, &n);
            else if (PyBytes_Check(v)) {
                p = PyBytes_AS_STRING(v);
                n = PyBytes_GET_SIZE(v);
            } else {
                PyErr_Format(PyExc_TypeError, "sasl_options['password'] must be str or bytes, not %.100s",
                             Py_TYPE(v)->tp_name);
                goto fail;
            }
            if (!p) goto fail;
            if (!(o->password = malloc(sizeof *o->password + (size_t)n + 1))) {
                PyErr_NoMemory();
                goto fail;
            }
            o->password->len = (size_t)n;
            memcpy(o->password->pw, p, (size_t)n);
            o->password->pw[n] = 0;
            break;
        }
        case 2: ok = sasl_str(v, "mechanism", 0, &o->mechanism); break;
        case 3: ok = sasl_str(v, "service", 0, &o->service); break;
        case 4: ok = sasl_str(v, "host", 1, &o->host); have_host = 1; break;
        case 5: ok = sasl_str(v, "realm", 1, &o->realm); break;
        }
        if (!ok) goto fail;
    }
    if (!o->mechanism && !(o->mechanism = strdup("DIGEST-MD5"))) goto nomem;
    if (!o->mechanism[0]) {
        PyErr_SetString(PyExc_ValueError, "sasl_options['mechanism'] is empty");
        goto fail;
    }
    int digest = strcasecmp(o->mechanism, "DIGEST-MD5") == 0;
    if (digest && (!o->username || !o->password)) {
        PyErr_Format(PyExc_TypeError, "sasl_options needs '%s' for DIGEST-MD5", o->username ? "password" : "username");
        goto fail;
    }
    if (o->password && !o->username) {
        PyErr_SetString(PyExc_TypeError, "sasl_options has a 'password' but no 'username'");
        goto fail;
    }
    if (o->username && !o->username[0]) {
        PyErr_SetString(PyExc_ValueError, "sasl_options['username'] is empty");
        goto fail;
    }
    if (o->password && o->password->len == 0) {
        PyErr_SetString(PyExc_ValueError, "sasl_options['password'] is empty");
        goto fail;
    }
    if (digest && !have_host && !(o->host = strdup(DIGEST_MD5_HOST))) goto nomem;
    return 1;
nomem:
    PyErr_NoMemory();
fail:
    sasl_opts_free(o);
    return 0;
}

/* ---- session and handles ---------------------------------------------------- */

/* The password of a client_id tuple: str (UTF-8) or bytes, at most 16 bytes
 * used (zkpython copies the str with strncpy). */
static int parse_client_id(PyObject *client, clientid_t *cid, PyObject **pass) {
    PyObject *pw;
    long long id;
    if (!PyTuple_Check(client) || PyTuple_GET_SIZE(client) != 2) {
        PyErr_SetString(PyExc_TypeError, "client_id must be a (session id, password) tuple");
        return 0;
    }
    if (!PyArg_ParseTuple(client, "LO", &id, &pw)) return 0;
    const char *p;
    Py_ssize_t n;
    if (PyUnicode_Check(pw)) {
        if (!(p = PyUnicode_AsUTF8AndSize(pw, &n))) return 0;
    } else if (PyBytes_Check(pw)) {
        p = PyBytes_AS_STRING(pw);
        n = PyBytes_GET_SIZE(pw);
    } else {
        PyErr_SetString(PyExc_TypeError, "the client_id password must be str or bytes");
        return 0;
    }
    memset(cid, 0, sizeof *cid);
    cid->client_id = id;
    memcpy(cid->passwd, p, n < 16 ? n : 16);
    *pass = n <= 16 ? pw : NULL; /* a longer one is not returned as given */
    return 1;
}

/* init, init_ssl and init_sasl: `cert` NULL for a session without TLS,
 * `sasl_options` NULL or None for one without SASL. The TLS and SASL entry
 * points are looked up at run time: on a library without them (Debian's
 * reference) the module loads and these raise UnimplementedException. */
static PyObject *init_impl(const char *host, const char *cert, PyObject *watcher, int timeout, PyObject *client,
                           PyObject *sasl_options) {
    PyObject *pass = NULL, *result = NULL;
    zhandle_t *(*init_ssl_fn)(const char *, const char *, watcher_fn, int, const clientid_t *, void *, int) = NULL;
    init_sasl_fn sasl_fn = NULL;
    init_ssl_sasl_fn ssl_sasl_fn = NULL;
    make_password_callbacks_fn make_cbs = NULL;
    int sasl = sasl_options && sasl_options != Py_None;
    sasl_opts so;
    void *cbs = NULL;
    memset(&so, 0, sizeof so);
    if (sasl) {
        /* bad options are the caller's mistake on any library: checked first */
        if (!parse_sasl_options(sasl_options, &so)) return NULL;
        if (cert)
            ssl_sasl_fn = (init_ssl_sasl_fn)dlsym(RTLD_DEFAULT, "zookeeper_init_ssl_sasl");
        else
            sasl_fn = (init_sasl_fn)dlsym(RTLD_DEFAULT, "zookeeper_init_sasl");
        if (so.username)
            make_cbs = (make_password_callbacks_fn)dlsym(RTLD_DEFAULT, "zoo_sasl_make_password_callbacks");
        if (!(cert ? (void *)ssl_sasl_fn : (void *)sasl_fn) || (so.username && !make_cbs)) {
            raise_rc(ZUNIMPLEMENTED);
            goto out;
        }
    } else if (cert) {
        init_ssl_fn = (zhandle_t * (*)(const char *, const char *, watcher_fn, int, const clientid_t *, void *, int))
            dlsym(RTLD_DEFAULT, "zookeeper_init_ssl");
        if (!init_ssl_fn) return raise_rc(ZUNIMPLEMENTED);
    }
    if (!check_callable(watcher, "watcher")) goto out;
    clientid_t cid, *cidp = NULL;
    if (client != Py_None) {
        if (!parse_client_id(client, &cid, &pass)) goto out;
        cidp = &cid;
    }
    if (so.username) {
        /* the library keeps the callback and its context (our copy of the
         * password) and calls it on its IO thread at each authentication */
        sasl_password pw = { NULL, so.password, sasl_password_answer };
        if (!(cbs = make_cbs(so.username, so.realm, so.password ? &pw : NULL))) {
            PyErr_SetFromErrno(ZooKeeperException);
            goto out;
        }
    }
    collect_reaped();
    wait_stale_calls();
    int h = reserve_slot();
    if (h < 0) {
        PyErr_SetString(ZooKeeperException, "too many handles");
        goto out;
    }
    handle_slot *s = &slots[h];
    pyctx *w = NULL;
    if (watcher != Py_None && !(w = ctx_new(h, watcher, 1))) {
        s->state = SLOT_CLOSED;
        slot_maybe_free(h);
        goto out;
    }
    sasl_params params = { so.service, so.host, so.mechanism, cbs };
    watcher_fn fn = w ? watcher_dispatch : NULL;
    zhandle_t *zh; /* `host` and `cert` stay alive: the caller holds `args` */
    Py_BEGIN_ALLOW_THREADS
    if (ssl_sasl_fn)
        zh = ssl_sasl_fn(host, cert, fn, timeout, cidp, w, 0, NULL, &params);
    else if (sasl_fn)
        zh = sasl_fn(host, fn, timeout, cidp, w, 0, NULL, &params);
    else if (cert)
        zh = init_ssl_fn(host, cert, fn, timeout, cidp, w, 0);
    else
        zh = zookeeper_init(host, fn, timeout, cidp, w, 0);
    Py_END_ALLOW_THREADS
    if (!zh) {
        int err = errno;
        s->state = SLOT_CLOSED;
        ctx_drop(w);
        slot_maybe_free(h);
        errno = err;
        PyErr_SetFromErrno(ZooKeeperException);
        goto out;
    }
    s->zh = zh;
    s->watcher = w;
    s->state = SLOT_OPEN;
    /* freed by finish_close once zookeeper_close has returned */
    s->sasl_callbacks = cbs;
    s->sasl_secret = so.password;
    cbs = NULL;
    so.password = NULL;
    if (cidp && pass) {
        Py_INCREF(pass);
        Py_XSETREF(s->cid_pass, pass);
        s->cid_id = cid.client_id;
        memcpy(s->cid_raw, cid.passwd, 16);
    }
    result = PyLong_FromLong(h);
out:
    free_sasl(cbs, NULL);
    sasl_opts_free(&so);
    return result;
}

static PyObject *py_init(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = { "host", "watcher", "recv_timeout", "client_id", NULL };
    const char *host;
    PyObject *watcher = Py_None, *client = Py_None;
    int timeout = 10000;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|OiO:init", kwlist, &host, &watcher, &timeout, &client)) return NULL;
    return init_impl(host, NULL, watcher, timeout, client, NULL);
}

static PyObject *py_init_ssl(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = { "host", "cert", "watcher", "recv_timeout", "client_id", "sasl_options", NULL };
    const char *host, *cert;
    PyObject *watcher = Py_None, *client = Py_None, *sasl = Py_None;
    int timeout = 10000;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|OiOO:init_ssl", kwlist, &host, &cert, &watcher, &timeout, &client,
                                     &sasl))
        return NULL;
    return init_impl(host, cert, watcher, timeout, client, sasl);
}

static PyObject *py_init_sasl(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = { "host", "sasl_options", "watcher", "recv_timeout", "client_id", "cert", NULL };
    const char *host, *cert = NULL;
    PyObject *sasl, *watcher = Py_None, *client = Py_None;
    int timeout = 10000;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|OiOz:init_sasl", kwlist, &host, &sasl, &watcher, &timeout, &client,
                                     &cert))
        return NULL;
    if (sasl == Py_None) {
        PyErr_SetString(PyExc_TypeError, "init_sasl: sasl_options must be a dict, not None");
        return NULL;
    }
    return init_impl(host, cert, watcher, timeout, client, sasl);
}

/* A close from one of the handle's own callbacks: the library's close runs
 * on this thread, off the completion thread, and the handle is collected
 * under the GIL once it has returned. */
typedef struct {
    int h;
    zhandle_t *zh;
} reap_job;

static void *reaper(void *arg) {
    reap_job *j = arg;
    zookeeper_close(j->zh);
    atomic_store(&slots[j->h].lib_done, 1);
    atomic_store(&reaped, 1);
    free(j);
    /* best effort: collected now, else at the next call into the module */
    Py_AddPendingCall(collect_pending, NULL);
    atomic_fetch_sub(&reapers, 1);
    return NULL;
}

static int close_slot(int h) {
    handle_slot *s = &slots[h];
    zhandle_t *zh = s->zh;
    s->state = SLOT_CLOSING;
    if (tls_slot == h) {
        reap_job *j = malloc(sizeof *j);
        pthread_t t;
        pthread_attr_t attr;
        if (j) {
            j->h = h;
            j->zh = zh;
            atomic_fetch_add(&reapers, 1);
            pthread_attr_init(&attr);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            int err = pthread_create(&t, &attr, reaper, j);
            pthread_attr_destroy(&attr);
            if (err == 0) return ZOK;
            atomic_fetch_sub(&reapers, 1);
            free(j);
        }
        /* no thread: the library closes from its completion thread and may
         * still run queued callbacks; the slot and its contexts are kept */
        return zookeeper_close(zh);
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = zookeeper_close(zh);
    Py_END_ALLOW_THREADS
    finish_close(h);
    return rc;
}

static PyObject *py_close(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:close", &h)) return NULL;
    if (!get_slot(h)) return NULL;
    return PyLong_FromLong(close_slot(h));
}

/* atexit: close what is open while Python is whole, then stop callbacks. */
static void wait_a_moment(void) {
    Py_BEGIN_ALLOW_THREADS
    usleep(1000);
    Py_END_ALLOW_THREADS
}

static PyObject *py_close_all_at_exit(PyObject *self, PyObject *noargs) {
    collect_reaped();
    for (int h = 0; h < nslots; h++) {
        while (slots[h].state == SLOT_RESERVED) wait_a_moment();
        if (slots[h].state == SLOT_OPEN) close_slot(h);
    }
    while (atomic_load(&reapers) > 0) wait_a_moment();
    collect_reaped();
    atomic_store(&finalizing, 1);
    while (atomic_load(&in_flight) > 0 || atomic_load(&reapers) > 0) wait_a_moment();
    collect_reaped();
    Py_RETURN_NONE;
}

static PyObject *py_state(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:state", &h)) return NULL;
    HANDLE(h, zh);
    return PyLong_FromLong(zoo_state(zh));
}

/* (session id, password). The password is given back as it was given to
 * init (zkpython returns that str) while the library still holds it;
 * all zeros (no session yet) is '' as in zkpython; a password the server
 * issued is the 16 bytes, which init accepts back. */
static PyObject *py_client_id(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:client_id", &h)) return NULL;
    HANDLE(h, zh);
    const clientid_t *c = zoo_client_id(zh);
    if (!c) return raise_rc(ZBADARGUMENTS);
    handle_slot *s = &slots[h];
    long long id = (long long)c->client_id;
    if (s->cid_pass && id == s->cid_id && memcmp(c->passwd, s->cid_raw, 16) == 0)
        return Py_BuildValue("(LO)", id, s->cid_pass);
    static const char zeros[16];
    if (memcmp(c->passwd, zeros, 16) == 0) return Py_BuildValue("(Ls)", id, "");
    return Py_BuildValue("(Ly#)", id, c->passwd, (Py_ssize_t)16);
}

static PyObject *py_recv_timeout(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:recv_timeout", &h)) return NULL;
    HANDLE(h, zh);
    return PyLong_FromLong(zoo_recv_timeout(zh));
}

static PyObject *py_is_unrecoverable(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:is_unrecoverable", &h)) return NULL;
    HANDLE(h, zh);
    return PyBool_FromLong(is_unrecoverable(zh) == ZINVALIDSTATE);
}

static PyObject *py_set_watcher(PyObject *self, PyObject *args) {
    int h;
    PyObject *w;
    if (!PyArg_ParseTuple(args, "iO:set_watcher", &h, &w)) return NULL;
    if (!check_callable(w, "watcher")) return NULL;
    HANDLE(h, zh);
    pyctx *c = NULL;
    if (w != Py_None && !(c = ctx_new(h, w, 1))) return NULL;
    zoo_set_context(zh, c);
    zoo_set_watcher(zh, c ? watcher_dispatch : NULL);
    /* the previous watcher may still be queued for an event: released at close */
    slots[h].watcher = c;
    Py_RETURN_NONE;
}

/* zkpython keeps the context for its own use; here it is the default watcher. */
static PyObject *py_get_context(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:get_context", &h)) return NULL;
    HANDLE(h, zh);
    (void)zh;
    PyObject *c = slots[h].watcher ? slots[h].watcher->callback : Py_None;
    Py_INCREF(c);
    return c;
}

/* "host:port" of the server in use (zoo_get_current_server). */
static PyObject *py_current_server(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:current_server", &h)) return NULL;
    HANDLE(h, zh);
    const char *s = zoo_get_current_server(zh);
    if (!s) Py_RETURN_NONE;
    return PyUnicode_FromString(s);
}

static PyObject *py_deterministic_conn_order(PyObject *self, PyObject *args) {
    int yes;
    if (!PyArg_ParseTuple(args, "p:deterministic_conn_order", &yes)) return NULL;
    zoo_deterministic_conn_order(yes);
    Py_RETURN_NONE;
}

static PyObject *py_set_debug_level(PyObject *self, PyObject *args) {
    int level;
    if (!PyArg_ParseTuple(args, "i:set_debug_level", &level)) return NULL;
    if (level < 0 || level > ZOO_LOG_LEVEL_DEBUG) {
        PyErr_SetString(PyExc_ValueError, "log level must be between 0 and LOG_LEVEL_DEBUG");
        return NULL;
    }
    zoo_set_debug_level((ZooLogLevel)level);
    Py_RETURN_NONE;
}

static PyObject *log_stream_obj;
static PyObject *py_set_log_stream(PyObject *self, PyObject *args) {
    PyObject *f;
    if (!PyArg_ParseTuple(args, "O:set_log_stream", &f)) return NULL;
    if (f == Py_None) {
        zoo_set_log_stream(NULL);
        Py_CLEAR(log_stream_obj);
        Py_RETURN_NONE;
    }
    int fd = PyObject_AsFileDescriptor(f);
    if (fd < 0) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "set_log_stream needs a file object with a file descriptor");
        return NULL;
    }
    /* the library may log from its threads at any time: the stream it was
     * given before is never closed (one FILE per call) */
    int dupfd = dup(fd);
    FILE *fp = dupfd >= 0 ? fdopen(dupfd, "a") : NULL;
    if (!fp) {
        if (dupfd >= 0) close(dupfd);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    setvbuf(fp, NULL, _IOLBF, 0);
    zoo_set_log_stream(fp);
    Py_INCREF(f);
    Py_XSETREF(log_stream_obj, f);
    Py_RETURN_NONE;
}

static PyObject *py_zerror(PyObject *self, PyObject *args) {
    int rc;
    if (!PyArg_ParseTuple(args, "i:zerror", &rc)) return NULL;
    return PyUnicode_FromString(zerror(rc));
}

/* Which libzookeeper_mt this module runs on. */
static PyObject *py_library_path(PyObject *self, PyObject *noargs) {
    Dl_info info;
    if (!dladdr((void *)&zookeeper_init, &info) || !info.dli_fname) Py_RETURN_NONE;
    char real[4096];
    return PyUnicode_FromString(realpath(info.dli_fname, real) ? real : info.dli_fname);
}

/* ---- synchronous operations ------------------------------------------------ */

/* Brackets a blocking library call: the slot stays busy (not reusable) and
 * the GIL is released. */
#define BLOCKING_CALL(h, stmt)    \
    slots[h].busy++;              \
    Py_BEGIN_ALLOW_THREADS stmt;  \
    Py_END_ALLOW_THREADS          \
    busy_leave(h);

static PyObject *py_create(PyObject *self, PyObject *args) {
    int h, flags = 0, rc;
    const char *path, *value;
    Py_ssize_t vlen;
    PyObject *acl;
    if (!PyArg_ParseTuple(args, "isz#O|i:create", &h, &path, &value, &vlen, &acl, &flags)) return NULL;
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) return NULL;
    if (!get_slot(h)) {
        free_acls(&av);
        return NULL;
    }
    zhandle_t *zh = slots[h].zh;
    char buf[1024];
    BLOCKING_CALL(h, rc = zoo_create(zh, path, value, value ? (int)vlen : -1, &av, flags, buf, sizeof buf))
    free_acls(&av);
    if (rc != ZOK) return raise_rc(rc);
    return PyUnicode_FromString(buf);
}

static PyObject *py_delete(PyObject *self, PyObject *args) {
    int h, version = -1, rc;
    const char *path;
    if (!PyArg_ParseTuple(args, "is|i:delete", &h, &path, &version)) return NULL;
    HANDLE(h, zh);
    BLOCKING_CALL(h, rc = zoo_delete(zh, path, version))
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(rc);
}

/* A blocking read with an optional watcher: the context is held for the
 * call and released afterwards unless the library set the watch. */
static void watched_call_end(pyctx *c, int kind, int rc) {
    if (!c) return;
    if (!watch_set(kind, rc)) ctx_done(c);
    ctx_release(c);
}

static PyObject *py_exists(PyObject *self, PyObject *args) {
    int h, rc, dflt;
    const char *path;
    PyObject *w = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:exists", &h, &path, &w)) return NULL;
    if (!check_watcher(h, w, &dflt)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!watcher_ctx(h, w, dflt, &c)) return NULL;
    if (c) c->refs++;
    struct Stat st;
    BLOCKING_CALL(h, rc = zoo_wexists(zh, path, c ? watcher_dispatch : NULL, c, &st))
    watched_call_end(c, WATCH_EXISTS, rc);
    if (rc == ZNONODE) Py_RETURN_NONE; /* the exist watch stays set */
    if (rc != ZOK) return raise_rc(rc);
    return build_stat(&st);
}

#define GET_BUFFER_SIZE (1024 * 1024)
static PyObject *py_get(PyObject *self, PyObject *args) {
    int h, rc, len = GET_BUFFER_SIZE, dflt;
    const char *path;
    PyObject *w = Py_None;
    if (!PyArg_ParseTuple(args, "is|Oi:get", &h, &path, &w, &len)) return NULL;
    if (len < 0) {
        PyErr_SetString(PyExc_ValueError, "buffer length must not be negative");
        return NULL;
    }
    if (!check_watcher(h, w, &dflt)) return NULL;
    char *buf = malloc(len ? len : 1);
    if (!buf) return PyErr_NoMemory();
    if (!get_slot(h)) {
        free(buf);
        return NULL;
    }
    zhandle_t *zh = slots[h].zh;
    pyctx *c;
    if (!watcher_ctx(h, w, dflt, &c)) {
        free(buf);
        return NULL;
    }
    if (c) c->refs++;
    struct Stat st;
    BLOCKING_CALL(h, rc = zoo_wget(zh, path, c ? watcher_dispatch : NULL, c, buf, &len, &st))
    watched_call_end(c, WATCH_DATA, rc);
    if (rc != ZOK) {
        free(buf);
        return raise_rc(rc);
    }
    PyObject *r = Py_BuildValue("(NN)", build_value(len < 0 ? NULL : buf, len), build_stat(&st));
    free(buf);
    return r;
}

static PyObject *set_impl(PyObject *args, int with_stat) {
    int h, version = -1, rc;
    const char *path, *value;
    Py_ssize_t vlen;
    if (!PyArg_ParseTuple(args, with_stat ? "isz#|i:set2" : "isz#|i:set", &h, &path, &value, &vlen, &version))
        return NULL;
    HANDLE(h, zh);
    struct Stat st;
    BLOCKING_CALL(h, rc = zoo_set2(zh, path, value, value ? (int)vlen : -1, version, &st))
    if (rc != ZOK) return raise_rc(rc);
    return with_stat ? build_stat(&st) : PyLong_FromLong(rc);
}
static PyObject *py_set(PyObject *self, PyObject *args) { return set_impl(args, 0); }
static PyObject *py_set2(PyObject *self, PyObject *args) { return set_impl(args, 1); }

static PyObject *py_get_children(PyObject *self, PyObject *args) {
    int h, rc, dflt;
    const char *path;
    PyObject *w = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:get_children", &h, &path, &w)) return NULL;
    if (!check_watcher(h, w, &dflt)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!watcher_ctx(h, w, dflt, &c)) return NULL;
    if (c) c->refs++;
    struct String_vector sv;
    BLOCKING_CALL(h, rc = zoo_wget_children(zh, path, c ? watcher_dispatch : NULL, c, &sv))
    watched_call_end(c, WATCH_CHILD, rc);
    if (rc != ZOK) return raise_rc(rc);
    PyObject *l = build_strings(&sv);
    deallocate_String_vector(&sv);
    return l;
}

static PyObject *py_get_acl(PyObject *self, PyObject *args) {
    int h, rc;
    const char *path;
    if (!PyArg_ParseTuple(args, "is:get_acl", &h, &path)) return NULL;
    HANDLE(h, zh);
    struct ACL_vector av;
    struct Stat st;
    BLOCKING_CALL(h, rc = zoo_get_acl(zh, path, &av, &st))
    if (rc != ZOK) return raise_rc(rc);
    PyObject *r = Py_BuildValue("(NN)", build_stat(&st), build_acls(&av));
    deallocate_ACL_vector(&av);
    return r;
}

static PyObject *py_set_acl(PyObject *self, PyObject *args) {
    int h, version, rc;
    const char *path;
    PyObject *acl;
    if (!PyArg_ParseTuple(args, "isiO:set_acl", &h, &path, &version, &acl)) return NULL;
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) return NULL;
    if (!get_slot(h)) {
        free_acls(&av);
        return NULL;
    }
    zhandle_t *zh = slots[h].zh;
    BLOCKING_CALL(h, rc = zoo_set_acl(zh, path, version, &av))
    free_acls(&av);
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(rc);
}

/* ---- asynchronous operations --------------------------------------------------- */

/* The completion's context. A watched read always gets one (with no
 * callable when none is given): its completion tells whether the watch was
 * set, so that a failed read releases the watcher. */
static int completion_ctx(int h, PyObject *cb, pyctx *watch, int kind, pyctx **out) {
    *out = NULL;
    if (cb == Py_None && !watch) return 1;
    *out = ctx_new(h, cb == Py_None ? NULL : cb, 0);
    if (!*out) return 0;
    (*out)->watch = watch;
    (*out)->watch_kind = kind;
    return 1;
}

/* Common tail: the library did not take the call: release and raise. */
static PyObject *async_result(int rc, pyctx *c1, pyctx *c2) {
    if (rc != ZOK) {
        if (c1) c1->watch = NULL;
        ctx_done(c1);
        ctx_done(c2);
        return raise_rc(rc);
    }
    return PyLong_FromLong(rc);
}

static PyObject *py_acreate(PyObject *self, PyObject *args) {
    int h, flags = 0;
    const char *path, *value;
    Py_ssize_t vlen;
    PyObject *acl, *cb = Py_None;
    if (!PyArg_ParseTuple(args, "isz#O|iO:acreate", &h, &path, &value, &vlen, &acl, &flags, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) return NULL;
    if (!get_slot(h)) {
        free_acls(&av);
        return NULL;
    }
    pyctx *c;
    if (!completion_ctx(h, cb, NULL, 0, &c)) {
        free_acls(&av);
        return NULL;
    }
    int rc = zoo_acreate(slots[h].zh, path, value, value ? (int)vlen : -1, &av, flags, c ? string_dispatch : NULL, c);
    free_acls(&av);
    return async_result(rc, c, NULL);
}

static PyObject *py_adelete(PyObject *self, PyObject *args) {
    int h, version = -1;
    const char *path;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "is|iO:adelete", &h, &path, &version, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!completion_ctx(h, cb, NULL, 0, &c)) return NULL;
    return async_result(zoo_adelete(zh, path, version, c ? void_dispatch : NULL, c), c, NULL);
}

/* aexists / aget / aget_children: (handle, path, watcher=None, completion=None) */
static PyObject *async_read(PyObject *args, const char *fmt, int kind) {
    int h, dflt;
    const char *path;
    PyObject *w = Py_None, *cb = Py_None;
    if (!PyArg_ParseTuple(args, fmt, &h, &path, &w, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    if (!check_watcher(h, w, &dflt)) return NULL;
    HANDLE(h, zh);
    pyctx *wc, *c;
    if (!watcher_ctx(h, w, dflt, &wc)) return NULL;
    if (!completion_ctx(h, cb, wc, kind, &c)) {
        ctx_done(wc);
        return NULL;
    }
    watcher_fn wf = wc ? watcher_dispatch : NULL;
    int rc;
    if (kind == WATCH_EXISTS) rc = zoo_awexists(zh, path, wf, wc, c ? stat_dispatch : NULL, c);
    else if (kind == WATCH_DATA) rc = zoo_awget(zh, path, wf, wc, c ? data_dispatch : NULL, c);
    else rc = zoo_awget_children(zh, path, wf, wc, c ? strings_dispatch : NULL, c);
    return async_result(rc, c, wc);
}
static PyObject *py_aexists(PyObject *self, PyObject *args) { return async_read(args, "is|OO:aexists", WATCH_EXISTS); }
static PyObject *py_aget(PyObject *self, PyObject *args) { return async_read(args, "is|OO:aget", WATCH_DATA); }
static PyObject *py_aget_children(PyObject *self, PyObject *args) {
    return async_read(args, "is|OO:aget_children", WATCH_CHILD);
}

static PyObject *py_aset(PyObject *self, PyObject *args) {
    int h, version = -1;
    const char *path, *value;
    Py_ssize_t vlen;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "isz#|iO:aset", &h, &path, &value, &vlen, &version, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!completion_ctx(h, cb, NULL, 0, &c)) return NULL;
    return async_result(zoo_aset(zh, path, value, value ? (int)vlen : -1, version, c ? stat_dispatch : NULL, c), c, NULL);
}

static PyObject *py_async(PyObject *self, PyObject *args) {
    int h;
    const char *path;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:async", &h, &path, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!completion_ctx(h, cb, NULL, 0, &c)) return NULL;
    return async_result(zoo_async(zh, path, c ? string_dispatch : NULL, c), c, NULL);
}

static PyObject *py_aget_acl(PyObject *self, PyObject *args) {
    int h;
    const char *path;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:aget_acl", &h, &path, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!completion_ctx(h, cb, NULL, 0, &c)) return NULL;
    return async_result(zoo_aget_acl(zh, path, c ? acl_dispatch : NULL, c), c, NULL);
}

static PyObject *py_aset_acl(PyObject *self, PyObject *args) {
    int h, version;
    const char *path;
    PyObject *acl, *cb = Py_None;
    if (!PyArg_ParseTuple(args, "isiO|O:aset_acl", &h, &path, &version, &acl, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) return NULL;
    if (!get_slot(h)) {
        free_acls(&av);
        return NULL;
    }
    pyctx *c;
    if (!completion_ctx(h, cb, NULL, 0, &c)) {
        free_acls(&av);
        return NULL;
    }
    int rc = zoo_aset_acl(slots[h].zh, path, version, &av, c ? void_dispatch : NULL, c);
    free_acls(&av);
    return async_result(rc, c, NULL);
}

/* ---- extensions of our library (zookeeper_ext.h), found at run time so
 * that the module still builds and loads against a library without them
 * (Debian's reference): there they raise UnimplementedException. ---------- */

#define EXT_FN(name, ret, params)                                           \
    ret(*name##_fn) params = (ret(*) params)dlsym(RTLD_DEFAULT, #name);       \
    if (!name##_fn) return raise_rc(ZUNIMPLEMENTED);

static PyObject *py_add_watch(PyObject *self, PyObject *args) {
    int h, mode, rc;
    const char *path;
    PyObject *w;
    if (!PyArg_ParseTuple(args, "isiO:add_watch", &h, &path, &mode, &w)) return NULL;
    if (!PyCallable_Check(w)) {
        PyErr_SetString(PyExc_TypeError, "watcher must be callable");
        return NULL;
    }
    EXT_FN(zoo_add_watch, int, (zhandle_t *, const char *, int, watcher_fn, void *))
    HANDLE(h, zh);
    /* a persistent watch may fire until it is removed or the handle closes:
     * its context lasts until close */
    pyctx *c = ctx_new(h, w, 1);
    if (!c) return NULL;
    c->refs++;
    BLOCKING_CALL(h, rc = zoo_add_watch_fn(zh, path, mode, watcher_dispatch, c))
    if (rc != ZOK) {
        c->permanent = 0;
        ctx_done(c);
    }
    ctx_release(c);
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(rc);
}

static PyObject *py_whoami(PyObject *self, PyObject *args) {
    int h, rc;
    if (!PyArg_ParseTuple(args, "i:whoami", &h)) return NULL;
    EXT_FN(zoo_whoami, int, (zhandle_t *, struct ClientInfo_vector *))
    HANDLE(h, zh);
    struct ClientInfo_vector v = { 0, 0 };
    BLOCKING_CALL(h, rc = zoo_whoami_fn(zh, &v))
    if (rc != ZOK) return raise_rc(rc);
    PyObject *l = PyList_New(v.count);
    for (int i = 0; l && i < v.count; i++)
        PyList_SET_ITEM(l, i, Py_BuildValue("(ss)", v.data[i].authScheme, v.data[i].user));
    deallocate_ClientInfo_vector(&v);
    return l;
}

static PyObject *py_get_ephemerals(PyObject *self, PyObject *args) {
    int h, rc;
    const char *prefix;
    if (!PyArg_ParseTuple(args, "is:get_ephemerals", &h, &prefix)) return NULL;
    EXT_FN(zoo_get_ephemerals, int, (zhandle_t *, const char *, struct String_vector *))
    HANDLE(h, zh);
    struct String_vector sv = { 0, 0 };
    BLOCKING_CALL(h, rc = zoo_get_ephemerals_fn(zh, prefix, &sv))
    if (rc != ZOK) return raise_rc(rc);
    PyObject *l = build_strings(&sv);
    deallocate_String_vector(&sv);
    return l;
}

static PyObject *py_get_all_children_number(PyObject *self, PyObject *args) {
    int h, rc, n = -1;
    const char *path;
    if (!PyArg_ParseTuple(args, "is:get_all_children_number", &h, &path)) return NULL;
    EXT_FN(zoo_get_all_children_number, int, (zhandle_t *, const char *, int *))
    HANDLE(h, zh);
    BLOCKING_CALL(h, rc = zoo_get_all_children_number_fn(zh, path, &n))
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(n);
}

static PyObject *py_set_client_expiry(PyObject *self, PyObject *args) {
    int h, enable;
    if (!PyArg_ParseTuple(args, "ip:set_client_expiry", &h, &enable)) return NULL;
    EXT_FN(zoo_set_client_expiry, int, (zhandle_t *, int))
    HANDLE(h, zh);
    int rc = zoo_set_client_expiry_fn(zh, enable);
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(rc);
}

static PyObject *py_set_backoff(PyObject *self, PyObject *args) {
    int h, initial, max;
    if (!PyArg_ParseTuple(args, "iii:set_backoff", &h, &initial, &max)) return NULL;
    EXT_FN(zoo_set_backoff, int, (zhandle_t *, int, int))
    HANDLE(h, zh);
    int rc = zoo_set_backoff_fn(zh, initial, max);
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(rc);
}

static PyObject *py_add_auth(PyObject *self, PyObject *args) {
    int h;
    const char *scheme, *cert;
    Py_ssize_t certlen;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "iss#|O:add_auth", &h, &scheme, &cert, &certlen, &cb)) return NULL;
    if (!check_callable(cb, "completion")) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!completion_ctx(h, cb, NULL, 0, &c)) return NULL;
    return async_result(zoo_add_auth(zh, scheme, cert, (int)certlen, c ? void_dispatch : NULL, c), c, NULL);
}

/* ---- module ------------------------------------------------------------------ */

/* Docstrings start with the signature (`__text_signature__`), so that
 * help() and inspect.signature() show it. */
#define DOC(name, sig, text) name "(" sig ")\n--\n\n" text

static PyMethodDef methods[] = {
    { "init", (PyCFunction)(void (*)(void))py_init, METH_VARARGS | METH_KEYWORDS,
      DOC("init", "host, watcher=None, recv_timeout=10000, client_id=None",
          "Opens a session to the servers in `host` ('h1:p1,h2:p2[/chroot]') and returns\n"
          "its handle, a small integer (the lowest free one, as zkpython). `watcher(handle,\n"
          "type, state, path)` gets session events; `client_id` is a (session id, password)\n"
          "pair as client_id() returns it, to resume that session.") },
    { "init_ssl", (PyCFunction)(void (*)(void))py_init_ssl, METH_VARARGS | METH_KEYWORDS,
      DOC("init_ssl", "host, cert, watcher=None, recv_timeout=10000, client_id=None, sasl_options=None",
          "Opens a session over TLS: cert is 'CA file,client certificate file,client key file[,key password]' "
          "(PEM; the CA alone for servers that do not ask for a client certificate). Returns the handle.\n"
          "With sasl_options (a dict as for init_sasl) the session also authenticates with SASL\n"
          "(the same as init_sasl(host, sasl_options, ..., cert=cert)).") },
    { "init_sasl", (PyCFunction)(void (*)(void))py_init_sasl, METH_VARARGS | METH_KEYWORDS,
      DOC("init_sasl", "host, sasl_options, watcher=None, recv_timeout=10000, client_id=None, cert=None",
          "Opens a session that authenticates with SASL (Cyrus SASL, loaded by the library) on\n"
          "every connection, before CONNECTED_STATE is reported; returns the handle. This\n"
          "module's extension (zkpython has no SASL). sasl_options is a dict:\n"
          "  'username' (str), 'password' (str or bytes): required for DIGEST-MD5;\n"
          "  'mechanism' (str, default 'DIGEST-MD5'; e.g. 'GSSAPI', or a space-separated list\n"
          "    Cyrus picks from: the DIGEST-MD5 defaults apply only to 'DIGEST-MD5' alone);\n"
          "  'service' (str, default 'zookeeper');\n"
          "  'host': the server name the mechanism authenticates (default 'zk-sasl-md5' for\n"
          "    DIGEST-MD5, the name ZooKeeper's Java server and client use; otherwise, or\n"
          "    None, the address of the server connected to);\n"
          "  'realm' (str or None, default: the realm the server offers).\n"
          "Other keys, wrong types or a missing username/password raise TypeError; empty\n"
          "values or NUL characters ValueError, before anything is created. The password is\n"
          "kept in C memory (not as a Python object) until the handle is closed.\n"
          "With cert (as init_ssl's) the session runs over TLS as well. If authentication\n"
          "fails the watcher gets a SESSION_EVENT with AUTH_FAILED_STATE, waiting calls end\n"
          "with AuthFailedException and later calls raise InvalidStateException.\n"
          "UnimplementedException: the library has no SASL (zookeeper_init_sasl).") },
    { "close", py_close, METH_VARARGS,
      DOC("close", "handle, /",
          "Closes the session; pending completions are called with CLOSING. Returns OK.\n"
          "Allowed from the handle's own callbacks.") },
    { "state", py_state, METH_VARARGS, DOC("state", "handle, /", "The session state (CONNECTED_STATE...).") },
    { "client_id", py_client_id, METH_VARARGS,
      DOC("client_id", "handle, /",
          "(session id, password). The password is the one given to init while the\n"
          "session is that one (a str, as zkpython returns it); a password the server\n"
          "issued is its 16 bytes; '' before any session.") },
    { "recv_timeout", py_recv_timeout, METH_VARARGS,
      DOC("recv_timeout", "handle, /", "The session timeout the server granted, in milliseconds.") },
    { "is_unrecoverable", py_is_unrecoverable, METH_VARARGS,
      DOC("is_unrecoverable", "handle, /", "True when the session has expired or failed authentication.") },
    { "set_watcher", py_set_watcher, METH_VARARGS,
      DOC("set_watcher", "handle, watcher, /", "Replaces the handle's default watcher (None: no watcher).") },
    { "current_server", py_current_server, METH_VARARGS,
      DOC("current_server", "handle, /", "'host:port' of the server the session uses, or None.") },
    { "get_context", py_get_context, METH_VARARGS,
      DOC("get_context", "handle, /", "The handle's default watcher, or None.") },
    { "deterministic_conn_order", py_deterministic_conn_order, METH_VARARGS,
      DOC("deterministic_conn_order", "yes, /", "Connect to servers in the order given instead of shuffled.") },
    { "set_debug_level", py_set_debug_level, METH_VARARGS,
      DOC("set_debug_level", "level, /", "The library's log level (LOG_LEVEL_ERROR ... LOG_LEVEL_DEBUG).") },
    { "set_log_stream", py_set_log_stream, METH_VARARGS,
      DOC("set_log_stream", "stream, /", "Sends the library's log to a file object (None: stderr).") },
    { "zerror", py_zerror, METH_VARARGS, DOC("zerror", "rc, /", "The message of a result code.") },
    { "library_path", py_library_path, METH_NOARGS,
      DOC("library_path", "", "The path of the libzookeeper_mt this module runs on.") },
    { "create", py_create, METH_VARARGS,
      DOC("create", "handle, path, value, acl, flags=0, /",
          "Creates a node and returns its path. `acl` is a list of {'perms', 'scheme', 'id'}\n"
          "dicts; `flags` EPHEMERAL, SEQUENCE, CONTAINER.") },
    { "delete", py_delete, METH_VARARGS,
      DOC("delete", "handle, path, version=-1, /", "Deletes a node (version -1: any). Returns OK.") },
    { "exists", py_exists, METH_VARARGS,
      DOC("exists", "handle, path, watcher=None, /",
          "The node's stat dict, or None when it does not exist; `watcher` is called once\n"
          "when it is created, changed or deleted.") },
    { "get", py_get, METH_VARARGS,
      DOC("get", "handle, path, watcher=None, bufferlen=1048576, /",
          "(value, stat): the value as str (bytes when not UTF-8, None for a node without\n"
          "data), at most `bufferlen` bytes of it.") },
    { "set", py_set, METH_VARARGS,
      DOC("set", "handle, path, value, version=-1, /", "Sets a node's value. Returns OK.") },
    { "set2", py_set2, METH_VARARGS,
      DOC("set2", "handle, path, value, version=-1, /", "Sets a node's value. Returns the new stat.") },
    { "get_children", py_get_children, METH_VARARGS,
      DOC("get_children", "handle, path, watcher=None, /", "The names of a node's children.") },
    { "get_acl", py_get_acl, METH_VARARGS, DOC("get_acl", "handle, path, /", "(stat, acl) of a node.") },
    { "set_acl", py_set_acl, METH_VARARGS,
      DOC("set_acl", "handle, path, version, acl, /", "Sets a node's ACL. Returns OK.") },
    { "acreate", py_acreate, METH_VARARGS,
      DOC("acreate", "handle, path, value, acl, flags=0, completion=None, /",
          "create, asynchronously: completion(handle, rc, path).") },
    { "adelete", py_adelete, METH_VARARGS,
      DOC("adelete", "handle, path, version=-1, completion=None, /",
          "delete, asynchronously: completion(handle, rc).") },
    { "aexists", py_aexists, METH_VARARGS,
      DOC("aexists", "handle, path, watcher=None, completion=None, /",
          "exists, asynchronously: completion(handle, rc, stat).") },
    { "aget", py_aget, METH_VARARGS,
      DOC("aget", "handle, path, watcher=None, completion=None, /",
          "get, asynchronously: completion(handle, rc, value, stat).") },
    { "aset", py_aset, METH_VARARGS,
      DOC("aset", "handle, path, value, version=-1, completion=None, /",
          "set, asynchronously: completion(handle, rc, stat).") },
    { "aget_children", py_aget_children, METH_VARARGS,
      DOC("aget_children", "handle, path, watcher=None, completion=None, /",
          "get_children, asynchronously: completion(handle, rc, children).") },
    { "async", py_async, METH_VARARGS,
      DOC("async", "handle, path, completion=None, /",
          "Flushes the channel to the leader (zoo_async): completion(handle, rc, path).\n"
          "Also named sync (`async` is a keyword: getattr(zookeeper, 'async')).") },
    { "sync", py_async, METH_VARARGS,
      DOC("sync", "handle, path, completion=None, /", "The same as async (zoo_async).") },
    { "aget_acl", py_aget_acl, METH_VARARGS,
      DOC("aget_acl", "handle, path, completion=None, /", "get_acl, asynchronously: completion(handle, rc, acl, stat).") },
    { "aset_acl", py_aset_acl, METH_VARARGS,
      DOC("aset_acl", "handle, path, version, acl, completion=None, /",
          "set_acl, asynchronously: completion(handle, rc).") },
    { "add_watch", py_add_watch, METH_VARARGS,
      DOC("add_watch", "handle, path, mode, watcher, /",
          "Adds a persistent (ADD_WATCH_PERSISTENT) or persistent-recursive (ADD_WATCH_PERSISTENT_RECURSIVE) watch; the watcher is called for every event until the watch is removed or the handle closes (server 3.6+).") },
    { "whoami", py_whoami, METH_VARARGS,
      DOC("whoami", "handle, /", "The session's identities as a list of (scheme, id) (server 3.7+).") },
    { "get_ephemerals", py_get_ephemerals, METH_VARARGS,
      DOC("get_ephemerals", "handle, prefix, /", "The paths of the session's ephemeral nodes that start with prefix (server 3.6+).") },
    { "get_all_children_number", py_get_all_children_number, METH_VARARGS,
      DOC("get_all_children_number", "handle, path, /", "The number of nodes below path (server 3.6+).") },
    { "set_client_expiry", py_set_client_expiry, METH_VARARGS,
      DOC("set_client_expiry", "handle, enable, /", "Client-side session expiry: expired once no server was reached for the session timeout (off by default).") },
    { "set_backoff", py_set_backoff, METH_VARARGS,
      DOC("set_backoff", "handle, initial_ms, max_ms, /", "The first and the longest delay between rounds of connection attempts.") },
    { "add_auth", py_add_auth, METH_VARARGS,
      DOC("add_auth", "handle, scheme, credential, completion=None, /",
          "Adds credentials to the session: completion(handle, rc).") },
    { NULL, NULL, 0, NULL },
};

static PyMethodDef atexit_def = { "_close_all_at_exit", py_close_all_at_exit, METH_NOARGS,
                                  "Closes every open handle; later callbacks are dropped." };

static struct PyModuleDef moddef = { PyModuleDef_HEAD_INIT, "zookeeper",
                                     "ZooKeeper client (zkpython API) on the Rust libzookeeper_mt", -1, methods };

PyMODINIT_FUNC PyInit__zookeeper(void) {
    if (slots) {
        PyErr_SetString(PyExc_ImportError, "zookeeper._zookeeper cannot be loaded twice");
        return NULL;
    }
    slots = calloc(MAX_HANDLES, sizeof *slots);
    if (!slots) return PyErr_NoMemory();
    PyObject *m = PyModule_Create(&moddef);
    if (!m) return NULL;
    ZooKeeperException = PyErr_NewException("zookeeper.ZooKeeperException", PyExc_Exception, NULL);
    Py_INCREF(ZooKeeperException);
    PyModule_AddObject(m, "ZooKeeperException", ZooKeeperException);
    for (int i = 0; i < NEXC; i++) {
        char qual[128];
        snprintf(qual, sizeof qual, "zookeeper.%s", exceptions[i].name);
        exceptions[i].exc = PyErr_NewException(qual, ZooKeeperException, NULL);
        Py_INCREF(exceptions[i].exc);
        PyModule_AddObject(m, exceptions[i].name, exceptions[i].exc);
    }
    PyModule_AddStringConstant(m, "__version__", ZOO_VERSION);
#define C(name, value) PyModule_AddIntConstant(m, name, value)
    C("PERM_READ", ZOO_PERM_READ); C("PERM_WRITE", ZOO_PERM_WRITE); C("PERM_CREATE", ZOO_PERM_CREATE);
    C("PERM_DELETE", ZOO_PERM_DELETE); C("PERM_ADMIN", ZOO_PERM_ADMIN); C("PERM_ALL", ZOO_PERM_ALL);
    /* addWatch modes (the protocol's values, as in zookeeper_ext.h) */
    C("ADD_WATCH_PERSISTENT", 0); C("ADD_WATCH_PERSISTENT_RECURSIVE", 1);
    C("EPHEMERAL", ZOO_EPHEMERAL); C("SEQUENCE", ZOO_SEQUENCE); C("CONTAINER", ZOO_CONTAINER);
    C("EXPIRED_SESSION_STATE", ZOO_EXPIRED_SESSION_STATE); C("AUTH_FAILED_STATE", ZOO_AUTH_FAILED_STATE);
    C("CONNECTING_STATE", ZOO_CONNECTING_STATE); C("ASSOCIATING_STATE", ZOO_ASSOCIATING_STATE);
    C("CONNECTED_STATE", ZOO_CONNECTED_STATE); C("READONLY_STATE", ZOO_READONLY_STATE);
    C("NOTCONNECTED_STATE", ZOO_NOTCONNECTED_STATE);
    C("CREATED_EVENT", ZOO_CREATED_EVENT); C("DELETED_EVENT", ZOO_DELETED_EVENT); C("CHANGED_EVENT", ZOO_CHANGED_EVENT);
    C("CHILD_EVENT", ZOO_CHILD_EVENT); C("SESSION_EVENT", ZOO_SESSION_EVENT); C("NOTWATCHING_EVENT", ZOO_NOTWATCHING_EVENT);
    C("LOG_LEVEL_ERROR", ZOO_LOG_LEVEL_ERROR); C("LOG_LEVEL_WARN", ZOO_LOG_LEVEL_WARN);
    C("LOG_LEVEL_INFO", ZOO_LOG_LEVEL_INFO); C("LOG_LEVEL_DEBUG", ZOO_LOG_LEVEL_DEBUG);
    C("OK", ZOK); C("SYSTEMERROR", ZSYSTEMERROR); C("RUNTIMEINCONSISTENCY", ZRUNTIMEINCONSISTENCY);
    C("DATAINCONSISTENCY", ZDATAINCONSISTENCY); C("CONNECTIONLOSS", ZCONNECTIONLOSS); C("MARSHALLINGERROR", ZMARSHALLINGERROR);
    C("UNIMPLEMENTED", ZUNIMPLEMENTED); C("OPERATIONTIMEOUT", ZOPERATIONTIMEOUT); C("BADARGUMENTS", ZBADARGUMENTS);
    C("INVALIDSTATE", ZINVALIDSTATE); C("APIERROR", ZAPIERROR); C("NONODE", ZNONODE); C("NOAUTH", ZNOAUTH);
    C("BADVERSION", ZBADVERSION); C("NOCHILDRENFOREPHEMERALS", ZNOCHILDRENFOREPHEMERALS); C("NODEEXISTS", ZNODEEXISTS);
    C("NOTEMPTY", ZNOTEMPTY); C("SESSIONEXPIRED", ZSESSIONEXPIRED); C("INVALIDCALLBACK", ZINVALIDCALLBACK);
    C("INVALIDACL", ZINVALIDACL); C("AUTHFAILED", ZAUTHFAILED); C("CLOSING", ZCLOSING); C("NOTHING", ZNOTHING);
    C("SESSIONMOVED", ZSESSIONMOVED); C("NOTREADONLY", ZNOTREADONLY); C("NOWATCHER", ZNOWATCHER);
#undef C
    /* closes what is open at exit, while Python can still run callbacks */
    PyObject *hook = PyCFunction_New(&atexit_def, NULL);
    PyObject *atexit = PyImport_ImportModule("atexit");
    PyObject *r = hook && atexit ? PyObject_CallMethod(atexit, "register", "O", hook) : NULL;
    Py_XDECREF(atexit);
    if (!r) {
        Py_XDECREF(hook);
        Py_DECREF(m);
        return NULL;
    }
    Py_DECREF(r);
    PyModule_AddObject(m, "_close_all_at_exit", hook);
    return m;
}
