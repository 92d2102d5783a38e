/* zkpython-compatible `zookeeper` module for Python 3, over the C API of
 * libzookeeper_mt (this repository's Rust implementation).
 *
 * Handles are small integers, as in zkpython. Watchers and completions run
 * on the library's completion thread and take the GIL only for the Python
 * call; blocking calls release the GIL while they wait. */
#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE
#include <Python.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
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

/* The context of a Python watcher or completion. Reference-counted so that
 * a context in use by a running callback outlives a close from inside it. */
typedef struct pyctx {
    int handle;
    PyObject *callback;
    int permanent; /* the default watcher */
    int refs;      /* the library's reference (lib_ref) plus running calls */
    int lib_ref;
    struct pyctx *prev, *next; /* live contexts of the handle */
} pyctx;

typedef struct {
    zhandle_t *zh;
    pyctx *watcher; /* default watcher, if any */
    pyctx live;     /* list head of every context not yet released */
} handle_slot;

#define MAX_HANDLES 32768
static handle_slot *handles;
static int nhandles;

/* All of the following run with the GIL held. */

static pyctx *ctx_new(int h, PyObject *cb, int permanent) {
    pyctx *c = PyMem_RawCalloc(1, sizeof *c);
    if (!c) {
        PyErr_NoMemory();
        return NULL;
    }
    Py_INCREF(cb);
    c->handle = h;
    c->callback = cb;
    c->permanent = permanent;
    c->refs = 1;
    c->lib_ref = 1;
    pyctx *head = &handles[h].live;
    c->next = head->next;
    c->prev = head;
    head->next->prev = c;
    head->next = c;
    return c;
}

static void ctx_release(pyctx *c) {
    if (!c || --c->refs > 0) return;
    c->prev->next = c->next;
    c->next->prev = c->prev;
    Py_DECREF(c->callback);
    PyMem_RawFree(c);
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

static int get_handle(int h, zhandle_t **zh) {
    if (h < 0 || h >= nhandles) {
        PyErr_SetString(ZooKeeperException, "zhandle out of range");
        return 0;
    }
    if (!handles[h].zh) {
        PyErr_SetString(ZooKeeperException, "zhandle already freed");
        return 0;
    }
    *zh = handles[h].zh;
    return 1;
}

#define HANDLE(h, zh) zhandle_t *zh; if (!get_handle((h), &zh)) return NULL

static int new_slot(void) {
    for (int i = 0; i < nhandles; i++)
        if (!handles[i].zh && handles[i].live.next == &handles[i].live) return i;
    if (nhandles == MAX_HANDLES) return -1;
    handle_slot *s = &handles[nhandles];
    s->live.next = s->live.prev = &s->live;
    return nhandles++;
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

/* A list of {"perms", "scheme", "id"} dicts; raises InvalidACLException otherwise. */
static int parse_acls(PyObject *o, struct ACL_vector *v) {
    v->count = 0;
    v->data = NULL;
    if (!PyList_Check(o)) {
        raise_rc(ZINVALIDACL);
        return 0;
    }
    Py_ssize_t n = PyList_Size(o);
    v->data = calloc(n ? n : 1, sizeof(struct ACL));
    if (!v->data) {
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *e = PyList_GET_ITEM(o, i);
        PyObject *perms = PyDict_Check(e) ? PyDict_GetItemString(e, "perms") : NULL;
        PyObject *scheme = PyDict_Check(e) ? PyDict_GetItemString(e, "scheme") : NULL;
        PyObject *id = PyDict_Check(e) ? PyDict_GetItemString(e, "id") : NULL;
        if (!perms || !scheme || !id || !PyLong_Check(perms) || !PyUnicode_Check(scheme) || !PyUnicode_Check(id)) {
            free_acls(v);
            raise_rc(ZINVALIDACL);
            return 0;
        }
        const char *s = PyUnicode_AsUTF8(scheme), *d = PyUnicode_AsUTF8(id);
        if (!s || !d) {
            free_acls(v);
            return 0;
        }
        v->data[i].perms = (int32_t)PyLong_AsLong(perms);
        v->data[i].id.scheme = strdup(s);
        v->data[i].id.id = strdup(d);
        v->count = (int32_t)(i + 1);
    }
    return 1;
}

/* A callable or None; raises TypeError otherwise. */
static int check_callable(PyObject *o, const char *what) {
    if (o == Py_None || PyCallable_Check(o)) return 1;
    PyErr_Format(PyExc_TypeError, "%s must be callable or None", what);
    return 0;
}

/* ---- dispatch from the library's completion thread ------------------------ */

/* Calls `cb(*args)` with the GIL held; an exception is reported as
 * unraisable and does not disturb the library. Steals `args`. */
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
    if (!c) return;
    PyGILState_STATE g = PyGILState_Ensure();
    c->refs++;
    call_python(c->callback, Py_BuildValue("(iiis)", c->handle, type, state, path ? path : ""));
    /* one-shot watchers end with their node event, or with the session */
    if (!c->permanent && (type != ZOO_SESSION_EVENT || state < 0)) ctx_done(c);
    ctx_release(c);
    PyGILState_Release(g);
}

#define DISPATCH_BEGIN(data)                          \
    pyctx *c = (pyctx *)(data);                       \
    if (!c) return;                                   \
    PyGILState_STATE g = PyGILState_Ensure();         \
    c->refs++;
#define DISPATCH_END \
    ctx_done(c);     \
    ctx_release(c);  \
    PyGILState_Release(g);

static void void_dispatch(int rc, const void *data) {
    DISPATCH_BEGIN(data)
    call_python(c->callback, Py_BuildValue("(ii)", c->handle, rc));
    DISPATCH_END
}

static void stat_dispatch(int rc, const struct Stat *stat, const void *data) {
    DISPATCH_BEGIN(data)
    call_python(c->callback, Py_BuildValue("(iiN)", c->handle, rc, build_stat(stat)));
    DISPATCH_END
}

static void data_dispatch(int rc, const char *value, int len, const struct Stat *stat, const void *data) {
    DISPATCH_BEGIN(data)
    call_python(c->callback, Py_BuildValue("(iiNN)", c->handle, rc, build_value(value, len), build_stat(stat)));
    DISPATCH_END
}

static void strings_dispatch(int rc, const struct String_vector *sv, const void *data) {
    DISPATCH_BEGIN(data)
    call_python(c->callback, Py_BuildValue("(iiN)", c->handle, rc, build_strings(sv)));
    DISPATCH_END
}

static void string_dispatch(int rc, const char *value, const void *data) {
    DISPATCH_BEGIN(data)
    call_python(c->callback, Py_BuildValue("(iiz)", c->handle, rc, value));
    DISPATCH_END
}

static void acl_dispatch(int rc, struct ACL_vector *acl, struct Stat *stat, const void *data) {
    DISPATCH_BEGIN(data)
    call_python(c->callback, Py_BuildValue("(iiNN)", c->handle, rc, build_acls(acl), build_stat(stat)));
    DISPATCH_END
}

/* Creates the context for an optional callable (NULL context for None). */
static int opt_ctx(int h, PyObject *cb, pyctx **out, const char *what) {
    *out = NULL;
    if (!check_callable(cb, what)) return 0;
    if (cb == Py_None) return 1;
    *out = ctx_new(h, cb, 0);
    return *out != NULL;
}

/* The context for a watcher argument. Passing the handle's own watcher
 * (an equal callable) is the C API's `watch=1`: the default watcher's
 * context is used, so the library sees one watcher and a session event
 * reaches it once, as in C. Any other callable gets a one-shot context. */
static int watch_ctx(int h, PyObject *cb, pyctx **out) {
    pyctx *d = handles[h].watcher;
    if (d && cb != Py_None) {
        int eq = PyObject_RichCompareBool(cb, d->callback, Py_EQ);
        if (eq < 0) return 0;
        if (eq) {
            *out = d; /* permanent: its library reference lasts until close */
            return 1;
        }
    }
    return opt_ctx(h, cb, out, "watcher");
}

/* ---- session and handles ---------------------------------------------------- */

static PyObject *py_init(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = { "host", "watcher", "recv_timeout", "client_id", NULL };
    const char *host;
    PyObject *watcher = Py_None, *client = Py_None;
    int timeout = 10000;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|OiO:init", kwlist, &host, &watcher, &timeout, &client)) return NULL;
    if (!check_callable(watcher, "watcher")) return NULL;
    clientid_t cid, *cidp = NULL;
    if (client != Py_None) {
        long long id;
        const char *pw;
        Py_ssize_t pwlen;
        if (!PyArg_ParseTuple(client, "Ls#", &id, &pw, &pwlen)) return NULL;
        memset(&cid, 0, sizeof cid);
        cid.client_id = id;
        memcpy(cid.passwd, pw, pwlen < 16 ? pwlen : 16);
        cidp = &cid;
    }
    int h = new_slot();
    if (h < 0) {
        PyErr_SetString(ZooKeeperException, "too many handles");
        return NULL;
    }
    pyctx *w = NULL;
    if (watcher != Py_None && !(w = ctx_new(h, watcher, 1))) return NULL;
    zhandle_t *zh;
    Py_BEGIN_ALLOW_THREADS
    zh = zookeeper_init(host, w ? watcher_dispatch : NULL, timeout, cidp, w, 0);
    Py_END_ALLOW_THREADS
    if (!zh) {
        ctx_drop(w);
        return PyErr_SetFromErrno(ZooKeeperException);
    }
    handles[h].zh = zh;
    handles[h].watcher = w;
    return PyLong_FromLong(h);
}

static PyObject *py_close(PyObject *self, PyObject *args) {
    int h, rc;
    if (!PyArg_ParseTuple(args, "i:close", &h)) return NULL;
    HANDLE(h, zh);
    handles[h].zh = NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = zookeeper_close(zh);
    Py_END_ALLOW_THREADS
    /* every completion has run: release what is left (contexts in use by a
     * running callback stay until it returns) */
    pyctx *head = &handles[h].live, *c = head->next;
    while (c != head) {
        pyctx *next = c->next;
        ctx_drop(c);
        c = next;
    }
    handles[h].watcher = NULL;
    return PyLong_FromLong(rc);
}

static PyObject *py_state(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:state", &h)) return NULL;
    HANDLE(h, zh);
    return PyLong_FromLong(zoo_state(zh));
}

static PyObject *py_client_id(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:client_id", &h)) return NULL;
    HANDLE(h, zh);
    const clientid_t *c = zoo_client_id(zh);
    return Py_BuildValue("(Ly#)", (long long)c->client_id, c->passwd, (Py_ssize_t)16);
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
    HANDLE(h, zh);
    if (!check_callable(w, "watcher")) return NULL;
    pyctx *c = NULL;
    if (w != Py_None && !(c = ctx_new(h, w, 1))) return NULL;
    zoo_set_context(zh, c);
    zoo_set_watcher(zh, c ? watcher_dispatch : NULL);
    /* the previous watcher may still be queued for an event: it is released at close */
    handles[h].watcher = c;
    Py_RETURN_NONE;
}

/* zkpython keeps the context for its own use; here it is a Python object per handle. */
static PyObject *py_get_context(PyObject *self, PyObject *args) {
    int h;
    if (!PyArg_ParseTuple(args, "i:get_context", &h)) return NULL;
    HANDLE(h, zh);
    (void)zh;
    PyObject *c = handles[h].watcher ? handles[h].watcher->callback : Py_None;
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
    int dupfd = dup(fd);
    FILE *fp = dupfd >= 0 ? fdopen(dupfd, "a") : NULL;
    if (!fp) return PyErr_SetFromErrno(PyExc_OSError);
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

static PyObject *py_create(PyObject *self, PyObject *args) {
    int h, flags = 0, rc;
    const char *path, *value;
    Py_ssize_t vlen;
    PyObject *acl;
    if (!PyArg_ParseTuple(args, "isz#O|i:create", &h, &path, &value, &vlen, &acl, &flags)) return NULL;
    HANDLE(h, zh);
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) return NULL;
    char buf[1024];
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_create(zh, path, value, value ? (int)vlen : -1, &av, flags, buf, sizeof buf);
    Py_END_ALLOW_THREADS
    free_acls(&av);
    if (rc != ZOK) return raise_rc(rc);
    return PyUnicode_FromString(buf);
}

static PyObject *py_delete(PyObject *self, PyObject *args) {
    int h, version = -1, rc;
    const char *path;
    if (!PyArg_ParseTuple(args, "is|i:delete", &h, &path, &version)) return NULL;
    HANDLE(h, zh);
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_delete(zh, path, version);
    Py_END_ALLOW_THREADS
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(rc);
}

static PyObject *py_exists(PyObject *self, PyObject *args) {
    int h, rc;
    const char *path;
    PyObject *w = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:exists", &h, &path, &w)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!watch_ctx(h, w, &c)) return NULL;
    struct Stat st;
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_wexists(zh, path, c ? watcher_dispatch : NULL, c, &st);
    Py_END_ALLOW_THREADS
    if (rc == ZNONODE) Py_RETURN_NONE; /* the exist watch stays set */
    if (rc != ZOK) {
        ctx_done(c);
        return raise_rc(rc);
    }
    return build_stat(&st);
}

#define GET_BUFFER_SIZE (1024 * 1024)
static PyObject *py_get(PyObject *self, PyObject *args) {
    int h, rc, len = GET_BUFFER_SIZE;
    const char *path;
    PyObject *w = Py_None;
    if (!PyArg_ParseTuple(args, "is|Oi:get", &h, &path, &w, &len)) return NULL;
    HANDLE(h, zh);
    if (len < 0) {
        PyErr_SetString(PyExc_ValueError, "buffer length must not be negative");
        return NULL;
    }
    pyctx *c;
    if (!watch_ctx(h, w, &c)) return NULL;
    char *buf = malloc(len ? len : 1);
    if (!buf) {
        ctx_done(c);
        return PyErr_NoMemory();
    }
    struct Stat st;
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_wget(zh, path, c ? watcher_dispatch : NULL, c, buf, &len, &st);
    Py_END_ALLOW_THREADS
    if (rc != ZOK) {
        free(buf);
        ctx_done(c);
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
    if (!PyArg_ParseTuple(args, "isz#|i", &h, &path, &value, &vlen, &version)) return NULL;
    HANDLE(h, zh);
    struct Stat st;
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_set2(zh, path, value, value ? (int)vlen : -1, version, &st);
    Py_END_ALLOW_THREADS
    if (rc != ZOK) return raise_rc(rc);
    return with_stat ? build_stat(&st) : PyLong_FromLong(rc);
}
static PyObject *py_set(PyObject *self, PyObject *args) { return set_impl(args, 0); }
static PyObject *py_set2(PyObject *self, PyObject *args) { return set_impl(args, 1); }

static PyObject *py_get_children(PyObject *self, PyObject *args) {
    int h, rc;
    const char *path;
    PyObject *w = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:get_children", &h, &path, &w)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!watch_ctx(h, w, &c)) return NULL;
    struct String_vector sv;
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_wget_children(zh, path, c ? watcher_dispatch : NULL, c, &sv);
    Py_END_ALLOW_THREADS
    if (rc != ZOK) {
        ctx_done(c);
        return raise_rc(rc);
    }
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
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_get_acl(zh, path, &av, &st);
    Py_END_ALLOW_THREADS
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
    HANDLE(h, zh);
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = zoo_set_acl(zh, path, version, &av);
    Py_END_ALLOW_THREADS
    free_acls(&av);
    if (rc != ZOK) return raise_rc(rc);
    return PyLong_FromLong(rc);
}

/* ---- asynchronous operations --------------------------------------------------- */

/* Common tail: an error from the call releases the contexts and raises. */
static PyObject *async_result(int rc, pyctx *c1, pyctx *c2) {
    if (rc != ZOK) {
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
    HANDLE(h, zh);
    pyctx *c;
    if (!opt_ctx(h, cb, &c, "completion")) return NULL;
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) {
        ctx_done(c);
        return NULL;
    }
    int rc = zoo_acreate(zh, path, value, value ? (int)vlen : -1, &av, flags, c ? string_dispatch : NULL, c);
    free_acls(&av);
    return async_result(rc, c, NULL);
}

static PyObject *py_adelete(PyObject *self, PyObject *args) {
    int h, version = -1;
    const char *path;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "is|iO:adelete", &h, &path, &version, &cb)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!opt_ctx(h, cb, &c, "completion")) return NULL;
    return async_result(zoo_adelete(zh, path, version, c ? void_dispatch : NULL, c), c, NULL);
}

/* aexists / aget / aget_children: (handle, path, watcher=None, completion=None) */
static PyObject *async_read(PyObject *args, const char *fmt, int kind) {
    int h;
    const char *path;
    PyObject *w = Py_None, *cb = Py_None;
    if (!PyArg_ParseTuple(args, fmt, &h, &path, &w, &cb)) return NULL;
    HANDLE(h, zh);
    pyctx *wc, *c;
    if (!watch_ctx(h, w, &wc)) return NULL;
    if (!opt_ctx(h, cb, &c, "completion")) {
        ctx_done(wc);
        return NULL;
    }
    watcher_fn wf = wc ? watcher_dispatch : NULL;
    int rc;
    if (kind == 0) rc = zoo_awexists(zh, path, wf, wc, c ? stat_dispatch : NULL, c);
    else if (kind == 1) rc = zoo_awget(zh, path, wf, wc, c ? data_dispatch : NULL, c);
    else rc = zoo_awget_children(zh, path, wf, wc, c ? strings_dispatch : NULL, c);
    return async_result(rc, wc, c);
}
static PyObject *py_aexists(PyObject *self, PyObject *args) { return async_read(args, "is|OO:aexists", 0); }
static PyObject *py_aget(PyObject *self, PyObject *args) { return async_read(args, "is|OO:aget", 1); }
static PyObject *py_aget_children(PyObject *self, PyObject *args) { return async_read(args, "is|OO:aget_children", 2); }

static PyObject *py_aset(PyObject *self, PyObject *args) {
    int h, version = -1;
    const char *path, *value;
    Py_ssize_t vlen;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "isz#|iO:aset", &h, &path, &value, &vlen, &version, &cb)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!opt_ctx(h, cb, &c, "completion")) return NULL;
    return async_result(zoo_aset(zh, path, value, value ? (int)vlen : -1, version, c ? stat_dispatch : NULL, c), c, NULL);
}

static PyObject *py_async(PyObject *self, PyObject *args) {
    int h;
    const char *path;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:async", &h, &path, &cb)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!opt_ctx(h, cb, &c, "completion")) return NULL;
    return async_result(zoo_async(zh, path, c ? string_dispatch : NULL, c), c, NULL);
}

static PyObject *py_aget_acl(PyObject *self, PyObject *args) {
    int h;
    const char *path;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "is|O:aget_acl", &h, &path, &cb)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!opt_ctx(h, cb, &c, "completion")) return NULL;
    return async_result(zoo_aget_acl(zh, path, c ? acl_dispatch : NULL, c), c, NULL);
}

static PyObject *py_aset_acl(PyObject *self, PyObject *args) {
    int h, version;
    const char *path;
    PyObject *acl, *cb = Py_None;
    if (!PyArg_ParseTuple(args, "isiO|O:aset_acl", &h, &path, &version, &acl, &cb)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!opt_ctx(h, cb, &c, "completion")) return NULL;
    struct ACL_vector av;
    if (!parse_acls(acl, &av)) {
        ctx_done(c);
        return NULL;
    }
    int rc = zoo_aset_acl(zh, path, version, &av, c ? void_dispatch : NULL, c);
    free_acls(&av);
    return async_result(rc, c, NULL);
}

static PyObject *py_add_auth(PyObject *self, PyObject *args) {
    int h;
    const char *scheme, *cert;
    Py_ssize_t certlen;
    PyObject *cb = Py_None;
    if (!PyArg_ParseTuple(args, "iss#|O:add_auth", &h, &scheme, &cert, &certlen, &cb)) return NULL;
    HANDLE(h, zh);
    pyctx *c;
    if (!opt_ctx(h, cb, &c, "completion")) return NULL;
    return async_result(zoo_add_auth(zh, scheme, cert, (int)certlen, c ? void_dispatch : NULL, c), c, NULL);
}

/* ---- module ------------------------------------------------------------------ */

static PyMethodDef methods[] = {
    { "init", (PyCFunction)(void (*)(void))py_init, METH_VARARGS | METH_KEYWORDS,
      "init(host, watcher=None, recv_timeout=10000, client_id=None) -> handle" },
    { "close", py_close, METH_VARARGS, "close(handle) -> rc" },
    { "state", py_state, METH_VARARGS, "state(handle) -> state" },
    { "client_id", py_client_id, METH_VARARGS, "client_id(handle) -> (session id, password)" },
    { "recv_timeout", py_recv_timeout, METH_VARARGS, "recv_timeout(handle) -> ms" },
    { "is_unrecoverable", py_is_unrecoverable, METH_VARARGS, "is_unrecoverable(handle) -> bool" },
    { "set_watcher", py_set_watcher, METH_VARARGS, "set_watcher(handle, watcher)" },
    { "current_server", py_current_server, METH_VARARGS, "current_server(handle) -> 'host:port'" },
    { "get_context", py_get_context, METH_VARARGS, "get_context(handle) -> the default watcher" },
    { "deterministic_conn_order", py_deterministic_conn_order, METH_VARARGS, "deterministic_conn_order(bool)" },
    { "set_debug_level", py_set_debug_level, METH_VARARGS, "set_debug_level(level)" },
    { "set_log_stream", py_set_log_stream, METH_VARARGS, "set_log_stream(file)" },
    { "zerror", py_zerror, METH_VARARGS, "zerror(rc) -> message" },
    { "library_path", py_library_path, METH_NOARGS, "library_path() -> the libzookeeper_mt this module runs on" },
    { "create", py_create, METH_VARARGS, "create(handle, path, value, acl, flags=0) -> created path" },
    { "delete", py_delete, METH_VARARGS, "delete(handle, path, version=-1)" },
    { "exists", py_exists, METH_VARARGS, "exists(handle, path, watcher=None) -> stat or None" },
    { "get", py_get, METH_VARARGS, "get(handle, path, watcher=None, bufferlen=1048576) -> (value, stat)" },
    { "set", py_set, METH_VARARGS, "set(handle, path, value, version=-1) -> 0" },
    { "set2", py_set2, METH_VARARGS, "set2(handle, path, value, version=-1) -> stat" },
    { "get_children", py_get_children, METH_VARARGS, "get_children(handle, path, watcher=None) -> list" },
    { "get_acl", py_get_acl, METH_VARARGS, "get_acl(handle, path) -> (stat, acl)" },
    { "set_acl", py_set_acl, METH_VARARGS, "set_acl(handle, path, version, acl)" },
    { "acreate", py_acreate, METH_VARARGS, "acreate(handle, path, value, acl, flags=0, completion=None)" },
    { "adelete", py_adelete, METH_VARARGS, "adelete(handle, path, version=-1, completion=None)" },
    { "aexists", py_aexists, METH_VARARGS, "aexists(handle, path, watcher=None, completion=None)" },
    { "aget", py_aget, METH_VARARGS, "aget(handle, path, watcher=None, completion=None)" },
    { "aset", py_aset, METH_VARARGS, "aset(handle, path, value, version=-1, completion=None)" },
    { "aget_children", py_aget_children, METH_VARARGS, "aget_children(handle, path, watcher=None, completion=None)" },
    { "async", py_async, METH_VARARGS, "async(handle, path, completion=None): zoo_async (also named sync)" },
    { "sync", py_async, METH_VARARGS, "sync(handle, path, completion=None): zoo_async" },
    { "aget_acl", py_aget_acl, METH_VARARGS, "aget_acl(handle, path, completion=None)" },
    { "aset_acl", py_aset_acl, METH_VARARGS, "aset_acl(handle, path, version, acl, completion=None)" },
    { "add_auth", py_add_auth, METH_VARARGS, "add_auth(handle, scheme, credential, completion=None)" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef moddef = { PyModuleDef_HEAD_INIT, "zookeeper",
                                     "ZooKeeper client (zkpython API) on the Rust libzookeeper_mt", -1, methods };

PyMODINIT_FUNC PyInit_zookeeper(void) {
    PyObject *m = PyModule_Create(&moddef);
    if (!m) return NULL;
    handles = calloc(MAX_HANDLES, sizeof *handles);
    if (!handles) return PyErr_NoMemory();
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
    return m;
}
