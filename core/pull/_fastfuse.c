/*
 * core.pull._fastfuse: the FUSE server of lazy mounts, in C.
 *
 * Loaded by the FUSE helper process (core/pull/_fusechild.py) in place of its pyfuse3 server
 * when it is available. It serves the same immutable tree (the flat tables built by
 * core.pull._mount.serialize_tree) from libfuse's multi-threaded low-level loop, without
 * the interpreter: metadata from the tables, file content from the verified chunk cache.
 * Python is called back only for what needs the helper's connection to its owner or a
 * hash function:
 *
 *   need(rid, ino, [chunk indexes])  chunks of a file that are not in the cache yet; the
 *                                    reading thread waits until done(rid, ok) is called;
 *   opened(ino)                      the first open of a file (profile recording only);
 *   sha256(memoryview) -> bytes      verifies each cached chunk once before it is served.
 *
 * Nothing is served unverified: a chunk read from the cache is hashed before its first use
 * (and never again by this process); a chunk that does not match fails the read with EIO.
 *
 * Without profile recording the server answers open and opendir with ENOSYS, which the
 * kernel takes as "no open needed": files and directories are then opened without a round
 * trip, and their cached pages and listings are kept (the tree never changes).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define ATTR_FIELDS 7
#define RECORD_SIZE 73 /* struct "<QQQQQB32s" */
#define FLAG_ZEROS 1
#define FLAG_DIGEST 2
#define TIMEOUT 3600.0

typedef struct {
    uint64_t offset;     /* in the file */
    uint64_t size;       /* uncompressed */
    uint8_t flags;
    const uint8_t *digest; /* 32 raw bytes */
} chunk_t;

typedef struct waiter {
    uint64_t rid;
    int state; /* 0 pending, 1 done, -1 failed */
    struct waiter *next;
} waiter_t;

typedef struct {
    PyObject_HEAD
    /* tables (borrowed from the bytes objects kept in `table`) */
    PyObject *table;
    const int64_t *attrs;
    int64_t count;
    const int64_t *dir_index;
    const int64_t *dir_inos;
    const char *dir_names;
    Py_ssize_t dir_names_len;
    int64_t dir_entries;
    const int64_t *link_index;
    const char *links;
    Py_ssize_t links_len;
    const int64_t *xattr_index;
    const char *xattrs;
    Py_ssize_t xattrs_len;
    const int64_t *chunk_index;
    const uint8_t *records;
    int64_t nrecords;
    /* derived: per directory entry, its name offset; per directory, entries sorted by name */
    int64_t *name_offsets;
    int64_t *sorted; /* entry indexes, sorted within each directory */
    uint8_t *verified;
    /* settings */
    char *mountpoint;
    char *chunk_dir;
    char *fsname;
    int record;
    uint8_t *opened;
    PyObject *need_cb;
    PyObject *opened_cb;
    PyObject *sha256_cb;
    /* state */
    struct fuse_session *se;
    pthread_t loop_thread;
    int loop_started;
    int loop_result;
    int stopping;
    uint64_t next_rid;
    waiter_t *waiters;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} MountObject;

/* -- tables ------------------------------------------------------------------------------- */

static int valid_ino(MountObject *m, fuse_ino_t ino)
{
    return ino > 0 && (int64_t)ino < m->count && m->attrs[ATTR_FIELDS * ino] != 0;
}

static int64_t dir_count(MountObject *m, fuse_ino_t ino)
{
    return m->dir_index[3 * ino + 1];
}

static void fill_stat(MountObject *m, fuse_ino_t ino, struct stat *st)
{
    const int64_t *a = m->attrs + ATTR_FIELDS * ino;
    memset(st, 0, sizeof(*st));
    st->st_ino = ino;
    st->st_mode = (mode_t)a[0];
    st->st_uid = (uid_t)a[1];
    st->st_gid = (gid_t)a[2];
    st->st_size = (off_t)a[3];
    st->st_rdev = (dev_t)a[5];
    st->st_nlink = (nlink_t)a[6];
    st->st_blksize = 4096;
    st->st_blocks = (a[3] + 511) / 512;
    int64_t sec = a[4] / 1000000000, nsec = a[4] % 1000000000;
    if (nsec < 0) {
        nsec += 1000000000;
        sec -= 1;
    }
    st->st_mtim.tv_sec = st->st_atim.tv_sec = st->st_ctim.tv_sec = (time_t)sec;
    st->st_mtim.tv_nsec = st->st_atim.tv_nsec = st->st_ctim.tv_nsec = (long)nsec;
}

static void fill_entry(MountObject *m, fuse_ino_t ino, struct fuse_entry_param *e)
{
    memset(e, 0, sizeof(*e));
    e->ino = ino;
    e->generation = 0;
    e->attr_timeout = TIMEOUT;
    e->entry_timeout = TIMEOUT;
    fill_stat(m, ino, &e->attr);
}

static const char *entry_name(MountObject *m, int64_t entry)
{
    return m->dir_names + m->name_offsets[entry];
}

static MountObject *sort_owner; /* qsort has no context argument; sorting runs once, locked */

static int compare_entries(const void *a, const void *b)
{
    const char *x = entry_name(sort_owner, *(const int64_t *)a);
    const char *y = entry_name(sort_owner, *(const int64_t *)b);
    return strcmp(x, y);
}

/* Name offsets of every directory entry and each directory's entries sorted by name. */
static int index_directories(MountObject *m)
{
    int64_t n = m->dir_entries;
    m->name_offsets = PyMem_RawMalloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    m->sorted = PyMem_RawMalloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (m->name_offsets == NULL || m->sorted == NULL)
        return -1;
    for (int64_t ino = 1; ino < m->count; ino++) {
        int64_t first = m->dir_index[3 * ino], cnt = m->dir_index[3 * ino + 1];
        int64_t pos = m->dir_index[3 * ino + 2];
        if (cnt <= 0)
            continue;
        if (first < 0 || first + cnt > n || pos < 0)
            return -1;
        for (int64_t k = first; k < first + cnt; k++) {
            if (pos >= m->dir_names_len)
                return -1;
            const char *end = memchr(m->dir_names + pos, 0, (size_t)(m->dir_names_len - pos));
            if (end == NULL)
                return -1;
            m->name_offsets[k] = pos;
            m->sorted[k] = k;
            pos = (end - m->dir_names) + 1;
        }
        sort_owner = m;
        qsort(m->sorted + first, (size_t)cnt, sizeof(int64_t), compare_entries);
    }
    return 0;
}

static int64_t find_child(MountObject *m, fuse_ino_t parent, const char *name)
{
    int64_t first = m->dir_index[3 * parent], cnt = m->dir_index[3 * parent + 1];
    int64_t lo = 0, hi = cnt - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int64_t entry = m->sorted[first + mid];
        int c = strcmp(name, entry_name(m, entry));
        if (c == 0)
            return m->dir_inos[entry];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return 0;
}

static void read_record(MountObject *m, int64_t k, chunk_t *c)
{
    const uint8_t *r = m->records + (size_t)k * RECORD_SIZE;
    memcpy(&c->offset, r, 8);
    memcpy(&c->size, r + 8, 8);
    c->flags = r[40];
    c->digest = r + 41;
}

static void chunk_path(MountObject *m, const uint8_t *digest, char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char h[65];
    for (int i = 0; i < 32; i++) {
        h[2 * i] = hex[digest[i] >> 4];
        h[2 * i + 1] = hex[digest[i] & 15];
    }
    h[64] = 0;
    snprintf(out, len, "%s/%c%c/%s", m->chunk_dir, h[0], h[1], h);
}

/* -- calls into Python -------------------------------------------------------------------- */

static int verify_bytes(MountObject *m, const char *data, size_t len, const uint8_t *digest)
{
    int ok = 0;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *view = PyMemoryView_FromMemory((char *)data, (Py_ssize_t)len, PyBUF_READ);
    PyObject *result = view ? PyObject_CallOneArg(m->sha256_cb, view) : NULL;
    if (result != NULL && PyBytes_Check(result) && PyBytes_GET_SIZE(result) == 32)
        ok = memcmp(PyBytes_AS_STRING(result), digest, 32) == 0;
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(m->sha256_cb);
    Py_XDECREF(result);
    Py_XDECREF(view);
    PyGILState_Release(g);
    return ok;
}

static void report_open(MountObject *m, fuse_ino_t ino)
{
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(m->opened_cb, "K", (unsigned long long)ino);
    if (r == NULL)
        PyErr_WriteUnraisable(m->opened_cb);
    Py_XDECREF(r);
    PyGILState_Release(g);
}

/* Ask the owner for chunks of `ino` and wait for its answer; 0 when they are in the cache. */
static int request_chunks(MountObject *m, fuse_ino_t ino, const int64_t *idx, int n)
{
    waiter_t w = {0, 0, NULL};
    pthread_mutex_lock(&m->lock);
    if (m->stopping) {
        pthread_mutex_unlock(&m->lock);
        return -1;
    }
    w.rid = ++m->next_rid;
    w.next = m->waiters;
    m->waiters = &w;
    pthread_mutex_unlock(&m->lock);

    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *list = PyList_New(n);
    int sent = 0;
    if (list != NULL) {
        for (int i = 0; i < n; i++)
            PyList_SET_ITEM(list, i, PyLong_FromLongLong(idx[i]));
        PyObject *r = PyObject_CallFunction(
            m->need_cb, "KKO", (unsigned long long)w.rid, (unsigned long long)ino, list);
        sent = r != NULL;
        Py_XDECREF(r);
        Py_DECREF(list);
    }
    if (!sent)
        PyErr_WriteUnraisable(m->need_cb);
    PyGILState_Release(g);

    pthread_mutex_lock(&m->lock);
    if (!sent)
        w.state = -1;
    while (w.state == 0 && !m->stopping)
        pthread_cond_wait(&m->cond, &m->lock);
    waiter_t **p = &m->waiters;
    while (*p != NULL && *p != &w)
        p = &(*p)->next;
    if (*p == &w)
        *p = w.next;
    int state = w.state;
    pthread_mutex_unlock(&m->lock);
    return state == 1 ? 0 : -1;
}

/* -- FUSE operations ---------------------------------------------------------------------- */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    if (conn->capable & FUSE_CAP_READDIRPLUS)
        conn->want |= FUSE_CAP_READDIRPLUS;
    conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
    if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
        conn->want |= FUSE_CAP_CACHE_SYMLINKS;
    /* The tree never changes: cached pages are never invalidated by attribute checks. */
    conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
    if (conn->capable & FUSE_CAP_EXPLICIT_INVAL_DATA)
        conn->want |= FUSE_CAP_EXPLICIT_INVAL_DATA;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    MountObject *m = fuse_req_userdata(req);
    if (!valid_ino(m, parent)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (dir_count(m, parent) < 0) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    struct fuse_entry_param e;
    int64_t child = strcmp(name, ".") == 0 ? (int64_t)parent : find_child(m, parent, name);
    if (child <= 0 || !valid_ino(m, (fuse_ino_t)child)) {
        memset(&e, 0, sizeof(e));
        e.ino = 0; /* cached "does not exist": the tree never changes */
        e.entry_timeout = TIMEOUT;
        fuse_reply_entry(req, &e);
        return;
    }
    fill_entry(m, (fuse_ino_t)child, &e);
    fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    MountObject *m = fuse_req_userdata(req);
    if (!valid_ino(m, ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    struct stat st;
    fill_stat(m, ino, &st);
    fuse_reply_attr(req, &st, TIMEOUT);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    MountObject *m = fuse_req_userdata(req);
    if (!valid_ino(m, ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    int64_t off = m->link_index[2 * ino], len = m->link_index[2 * ino + 1];
    if (!S_ISLNK((mode_t)m->attrs[ATTR_FIELDS * ino]) || len < 0 || off < 0 ||
        off + len > m->links_len) {
        fuse_reply_err(req, EINVAL);
        return;
    }
    char *target = malloc((size_t)len + 1);
    if (target == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    memcpy(target, m->links + off, (size_t)len);
    target[len] = 0;
    fuse_reply_readlink(req, target);
    free(target);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    MountObject *m = fuse_req_userdata(req);
    if (!m->record) {
        fuse_reply_err(req, ENOSYS); /* "opening needs no call here" from now on */
        return;
    }
    if (!valid_ino(m, ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (fi->flags & (O_WRONLY | O_RDWR | O_TRUNC | O_APPEND)) {
        fuse_reply_err(req, EROFS);
        return;
    }
    if (!S_ISREG((mode_t)m->attrs[ATTR_FIELDS * ino])) {
        fuse_reply_err(req, EINVAL);
        return;
    }
    int first = 0;
    pthread_mutex_lock(&m->lock);
    if (!m->opened[ino]) {
        m->opened[ino] = 1;
        first = 1;
    }
    pthread_mutex_unlock(&m->lock);
    if (first)
        report_open(m, ino);
    fi->keep_cache = 1;
    fi->fh = ino;
    fuse_reply_open(req, fi);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    fuse_reply_err(req, 0);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    MountObject *m = fuse_req_userdata(req);
    if (!m->record) {
        fuse_reply_err(req, ENOSYS); /* listings are cached by the kernel from now on */
        return;
    }
    if (!valid_ino(m, ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (dir_count(m, ino) < 0) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    fi->fh = ino;
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
    fuse_reply_open(req, fi);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    fuse_reply_err(req, 0);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus)
{
    MountObject *m = fuse_req_userdata(req);
    if (!valid_ino(m, ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    int64_t cnt = dir_count(m, ino), first = m->dir_index[3 * ino];
    if (cnt < 0) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    char *buf = malloc(size ? size : 1);
    if (buf == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    size_t used = 0;
    for (int64_t i = off; i < cnt; i++) {
        int64_t entry = m->sorted[first + i];
        fuse_ino_t child = (fuse_ino_t)m->dir_inos[entry];
        const char *name = entry_name(m, entry);
        size_t need;
        if (plus) {
            struct fuse_entry_param e;
            fill_entry(m, child, &e);
            need = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, i + 1);
        } else {
            struct stat st;
            fill_stat(m, child, &st);
            need = fuse_add_direntry(req, buf + used, size - used, name, &st, i + 1);
        }
        if (need > size - used)
            break;
        used += need;
    }
    fuse_reply_buf(req, buf, used);
    free(buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    (void)fi;
    do_readdir(req, ino, size, off, 0);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                           struct fuse_file_info *fi)
{
    (void)fi;
    do_readdir(req, ino, size, off, 1);
}

/* Copy bytes [lo, hi) of a chunk into `out`; verifies the chunk on its first use. */
static int read_chunk(MountObject *m, int64_t k, const chunk_t *c, uint64_t lo, uint64_t hi,
                      char *out)
{
    char path[PATH_MAX];
    chunk_path(m, c->digest, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int ok = 0;
    if (__atomic_load_n(&m->verified[k], __ATOMIC_ACQUIRE)) {
        size_t done = 0, want = (size_t)(hi - lo);
        while (done < want) {
            ssize_t r = pread(fd, out + done, want - done, (off_t)(lo + done));
            if (r <= 0)
                break;
            done += (size_t)r;
        }
        ok = done == want;
    } else {
        char *whole = malloc(c->size ? c->size : 1);
        if (whole != NULL) {
            size_t done = 0;
            while (done < c->size) {
                ssize_t r = pread(fd, whole + done, c->size - done, (off_t)done);
                if (r <= 0)
                    break;
                done += (size_t)r;
            }
            char extra;
            if (done == c->size && pread(fd, &extra, 1, (off_t)done) == 0 &&
                verify_bytes(m, whole, c->size, c->digest)) {
                __atomic_store_n(&m->verified[k], 1, __ATOMIC_RELEASE);
                memcpy(out, whole + lo, (size_t)(hi - lo));
                ok = 1;
            }
            free(whole);
        }
    }
    close(fd);
    return ok ? 0 : -1;
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)fi;
    MountObject *m = fuse_req_userdata(req);
    if (!valid_ino(m, ino) || !S_ISREG((mode_t)m->attrs[ATTR_FIELDS * ino])) {
        fuse_reply_err(req, valid_ino(m, ino) ? EINVAL : ENOENT);
        return;
    }
    uint64_t fsize = (uint64_t)m->attrs[ATTR_FIELDS * ino + 3];
    uint64_t start = (uint64_t)off;
    uint64_t end = start + size < fsize ? start + size : fsize;
    if (off < 0 || start >= end) {
        fuse_reply_buf(req, NULL, 0);
        return;
    }
    int64_t first = m->chunk_index[2 * ino], cnt = m->chunk_index[2 * ino + 1];
    if (first < 0 || cnt < 0 || first + cnt > m->nrecords) {
        fuse_reply_err(req, EIO);
        return;
    }
    /* Chunks of the requested range that are neither zeros nor verified nor cached. */
    int64_t missing_stack[16];
    int64_t *missing = missing_stack;
    int nmissing = 0, cap = 16;
    for (int64_t i = 0; i < cnt; i++) {
        chunk_t c;
        read_record(m, first + i, &c);
        if (c.offset >= end || c.offset + c.size <= start)
            continue;
        if ((c.flags & FLAG_ZEROS) || __atomic_load_n(&m->verified[first + i], __ATOMIC_ACQUIRE))
            continue;
        if (!(c.flags & FLAG_DIGEST)) {
            fuse_reply_err(req, EIO);
            goto out;
        }
        char path[PATH_MAX];
        chunk_path(m, c.digest, path, sizeof(path));
        if (access(path, F_OK) == 0)
            continue;
        if (nmissing == cap) {
            int64_t *grown = malloc(sizeof(int64_t) * (size_t)cap * 2);
            if (grown == NULL) {
                fuse_reply_err(req, ENOMEM);
                goto out;
            }
            memcpy(grown, missing, sizeof(int64_t) * (size_t)nmissing);
            if (missing != missing_stack)
                free(missing);
            missing = grown;
            cap *= 2;
        }
        missing[nmissing++] = i;
    }
    if (nmissing && request_chunks(m, ino, missing, nmissing) != 0) {
        fuse_reply_err(req, EIO);
        goto out;
    }
    char *buf = malloc((size_t)(end - start));
    if (buf == NULL) {
        fuse_reply_err(req, ENOMEM);
        goto out;
    }
    for (int64_t i = 0; i < cnt; i++) {
        chunk_t c;
        read_record(m, first + i, &c);
        if (c.offset >= end || c.offset + c.size <= start)
            continue;
        uint64_t lo = start > c.offset ? start - c.offset : 0;
        uint64_t hi = (end < c.offset + c.size ? end : c.offset + c.size) - c.offset;
        char *dest = buf + (c.offset + lo - start);
        if (c.flags & FLAG_ZEROS) {
            memset(dest, 0, (size_t)(hi - lo));
        } else if (read_chunk(m, first + i, &c, lo, hi, dest) != 0) {
            free(buf);
            fuse_reply_err(req, EIO);
            goto out;
        }
    }
    fuse_reply_buf(req, buf, (size_t)(end - start));
    free(buf);
out:
    if (missing != missing_stack)
        free(missing);
}

static int xattr_walk(MountObject *m, fuse_ino_t ino, const char *want, const char **value,
                      uint32_t *vlen, char *names, size_t *names_len)
{
    int64_t off = m->xattr_index[2 * ino], cnt = m->xattr_index[2 * ino + 1];
    size_t total = 0;
    for (int64_t i = 0; i < cnt; i++) {
        uint32_t nl, vl;
        if (off < 0 || off + 4 > m->xattrs_len)
            return -1;
        memcpy(&nl, m->xattrs + off, 4);
        const char *name = m->xattrs + off + 4;
        off += 4 + nl;
        if (off + 4 > m->xattrs_len)
            return -1;
        memcpy(&vl, m->xattrs + off, 4);
        const char *val = m->xattrs + off + 4;
        off += 4 + vl;
        if (off > m->xattrs_len)
            return -1;
        if (want != NULL && strlen(want) == nl && memcmp(want, name, nl) == 0) {
            *value = val;
            *vlen = vl;
            return 1;
        }
        if (names != NULL) {
            memcpy(names + total, name, nl);
            names[total + nl] = 0;
        }
        total += nl + 1;
    }
    if (names_len != NULL)
        *names_len = total;
    return 0;
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    MountObject *m = fuse_req_userdata(req);
    if (!valid_ino(m, ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    const char *value = NULL;
    uint32_t vlen = 0;
    if (xattr_walk(m, ino, name, &value, &vlen, NULL, NULL) != 1) {
        fuse_reply_err(req, ENODATA);
        return;
    }
    if (size == 0)
        fuse_reply_xattr(req, vlen);
    else if (size < vlen)
        fuse_reply_err(req, ERANGE);
    else
        fuse_reply_buf(req, value, vlen);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    MountObject *m = fuse_req_userdata(req);
    if (!valid_ino(m, ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    size_t total = 0;
    if (xattr_walk(m, ino, NULL, NULL, NULL, NULL, &total) < 0) {
        fuse_reply_err(req, EIO);
        return;
    }
    if (size == 0) {
        fuse_reply_xattr(req, total);
        return;
    }
    if (size < total) {
        fuse_reply_err(req, ERANGE);
        return;
    }
    char *names = malloc(total ? total : 1);
    if (names == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    xattr_walk(m, ino, NULL, NULL, NULL, names, &total);
    fuse_reply_buf(req, names, total);
    free(names);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    (void)ino;
    MountObject *m = fuse_req_userdata(req);
    struct statvfs s;
    memset(&s, 0, sizeof(s));
    uint64_t total = 0;
    for (int64_t i = 1; i < m->count; i++)
        total += (uint64_t)m->attrs[ATTR_FIELDS * i + 3];
    s.f_bsize = s.f_frsize = 4096;
    s.f_blocks = total / 4096 + 1;
    s.f_files = (fsfilcnt_t)m->count;
    s.f_namemax = 255;
    fuse_reply_statfs(req, &s);
}

static const struct fuse_lowlevel_ops mount_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .open = op_open,
    .read = op_read,
    .release = op_release,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .readdirplus = op_readdirplus,
    .releasedir = op_releasedir,
    .getxattr = op_getxattr,
    .listxattr = op_listxattr,
    .statfs = op_statfs,
};

/* -- the Mount type ----------------------------------------------------------------------- */

static int table_bytes(PyObject *table, const char *key, const char **data, Py_ssize_t *len)
{
    PyObject *value = PyDict_GetItemString(table, key);
    if (value == NULL || !PyBytes_Check(value)) {
        PyErr_Format(PyExc_ValueError, "tree table %s is missing or not bytes", key);
        return -1;
    }
    *data = PyBytes_AS_STRING(value);
    *len = PyBytes_GET_SIZE(value);
    return 0;
}

static int table_int64(PyObject *table, const char *key, const int64_t **out, int64_t *n,
                       int64_t per)
{
    const char *data;
    Py_ssize_t len;
    if (table_bytes(table, key, &data, &len) < 0)
        return -1;
    if (len % (Py_ssize_t)(8 * per) != 0) {
        PyErr_Format(PyExc_ValueError, "tree table %s has a bad length", key);
        return -1;
    }
    *out = (const int64_t *)data;
    *n = len / (8 * per);
    return 0;
}

static void Mount_dealloc(MountObject *self)
{
    Py_XDECREF(self->table);
    Py_XDECREF(self->need_cb);
    Py_XDECREF(self->opened_cb);
    Py_XDECREF(self->sha256_cb);
    PyMem_RawFree(self->name_offsets);
    PyMem_RawFree(self->sorted);
    PyMem_RawFree(self->verified);
    PyMem_RawFree(self->opened);
    PyMem_RawFree(self->mountpoint);
    PyMem_RawFree(self->chunk_dir);
    PyMem_RawFree(self->fsname);
    pthread_mutex_destroy(&self->lock);
    pthread_cond_destroy(&self->cond);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *out = PyMem_RawMalloc(n);
    if (out != NULL)
        memcpy(out, s, n);
    return out;
}

static int Mount_init(MountObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"table",  "mountpoint", "chunk_dir", "fsname",
                             "record", "need",       "opened",    "sha256", NULL};
    PyObject *table, *need, *opened, *sha256;
    const char *mountpoint, *chunk_dir, *fsname;
    int record;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!ssspOOO", kwlist, &PyDict_Type, &table,
                                     &mountpoint, &chunk_dir, &fsname, &record, &need, &opened,
                                     &sha256))
        return -1;
    if (self->table != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Mount is already initialised");
        return -1;
    }
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->cond, NULL);
    Py_INCREF(table);
    self->table = table;
    Py_INCREF(need);
    self->need_cb = need;
    Py_INCREF(opened);
    self->opened_cb = opened;
    Py_INCREF(sha256);
    self->sha256_cb = sha256;
    self->record = record;

    int64_t n_dir, n_link, n_xattr, n_chunk, n_inos;
    const char *records;
    Py_ssize_t records_len;
    if (table_int64(table, "attrs", &self->attrs, &self->count, ATTR_FIELDS) < 0 ||
        table_int64(table, "dir_index", &self->dir_index, &n_dir, 3) < 0 ||
        table_int64(table, "dir_inos", &self->dir_inos, &n_inos, 1) < 0 ||
        table_bytes(table, "dir_names", &self->dir_names, &self->dir_names_len) < 0 ||
        table_int64(table, "link_index", &self->link_index, &n_link, 2) < 0 ||
        table_bytes(table, "links", &self->links, &self->links_len) < 0 ||
        table_int64(table, "xattr_index", &self->xattr_index, &n_xattr, 2) < 0 ||
        table_bytes(table, "xattrs", &self->xattrs, &self->xattrs_len) < 0 ||
        table_int64(table, "chunk_index", &self->chunk_index, &n_chunk, 2) < 0 ||
        table_bytes(table, "chunks", &records, &records_len) < 0)
        return -1;
    if (n_dir != self->count || n_link != self->count || n_xattr != self->count ||
        n_chunk != self->count || records_len % RECORD_SIZE != 0 || self->count < 2) {
        PyErr_SetString(PyExc_ValueError, "tree tables do not agree in size");
        return -1;
    }
    self->records = (const uint8_t *)records;
    self->nrecords = records_len / RECORD_SIZE;
    self->dir_entries = n_inos;
    for (int64_t ino = 1; ino < self->count; ino++) {
        int64_t first = self->chunk_index[2 * ino], cnt = self->chunk_index[2 * ino + 1];
        if (first < 0 || cnt < 0 || first + cnt > self->nrecords) {
            PyErr_SetString(PyExc_ValueError, "chunk index out of range");
            return -1;
        }
    }
    if (index_directories(self) < 0) {
        PyErr_SetString(PyExc_ValueError, "directory tables are inconsistent");
        return -1;
    }
    for (int64_t k = 0; k < n_inos; k++) {
        if (self->dir_inos[k] <= 0 || self->dir_inos[k] >= self->count) {
            PyErr_SetString(PyExc_ValueError, "directory entry names an unknown inode");
            return -1;
        }
    }
    self->verified = PyMem_RawCalloc((size_t)(self->nrecords ? self->nrecords : 1), 1);
    self->opened = PyMem_RawCalloc((size_t)self->count, 1);
    self->mountpoint = copy_string(mountpoint);
    self->chunk_dir = copy_string(chunk_dir);
    self->fsname = copy_string(fsname);
    if (!self->verified || !self->opened || !self->mountpoint || !self->chunk_dir ||
        !self->fsname) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void *loop_main(void *arg)
{
    MountObject *m = arg;
    struct fuse_loop_config *cfg = fuse_loop_cfg_create();
    if (cfg == NULL) {
        m->loop_result = -ENOMEM;
        return NULL;
    }
    fuse_loop_cfg_set_idle_threads(cfg, 8);
    fuse_loop_cfg_set_max_threads(cfg, 64);
    m->loop_result = fuse_session_loop_mt(m->se, cfg);
    fuse_loop_cfg_destroy(cfg);
    return NULL;
}

static PyObject *Mount_start(MountObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->table == NULL || self->se != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Mount is not ready to start");
        return NULL;
    }
    char options[PATH_MAX + 128];
    snprintf(options, sizeof(options),
             "ro,default_permissions,allow_other,auto_unmount,subtype=fcdesk,fsname=%s",
             self->fsname);
    char *argv[] = {"fcdesk-lazy", "-o", options, NULL};
    struct fuse_args fargs = FUSE_ARGS_INIT(3, argv);
    struct fuse_session *se;
    int mounted;
    Py_BEGIN_ALLOW_THREADS
    se = fuse_session_new(&fargs, &mount_ops, sizeof(mount_ops), self);
    mounted = se != NULL && fuse_session_mount(se, self->mountpoint) == 0;
    Py_END_ALLOW_THREADS
    if (se == NULL) {
        PyErr_SetString(PyExc_OSError, "fuse_session_new failed");
        return NULL;
    }
    if (!mounted) {
        fuse_session_destroy(se);
        PyErr_Format(PyExc_OSError, "cannot mount %s", self->mountpoint);
        return NULL;
    }
    self->se = se;
    if (pthread_create(&self->loop_thread, NULL, loop_main, self) != 0) {
        fuse_session_unmount(se);
        fuse_session_destroy(se);
        self->se = NULL;
        PyErr_SetString(PyExc_OSError, "cannot start the FUSE loop thread");
        return NULL;
    }
    self->loop_started = 1;
    Py_RETURN_NONE;
}

static PyObject *Mount_done(MountObject *self, PyObject *args)
{
    unsigned long long rid;
    int ok;
    if (!PyArg_ParseTuple(args, "Kp", &rid, &ok))
        return NULL;
    pthread_mutex_lock(&self->lock);
    for (waiter_t *w = self->waiters; w != NULL; w = w->next) {
        if (w->rid == rid) {
            w->state = ok ? 1 : -1;
            break;
        }
    }
    pthread_cond_broadcast(&self->cond);
    pthread_mutex_unlock(&self->lock);
    Py_RETURN_NONE;
}

static PyObject *Mount_stop(MountObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->se == NULL)
        Py_RETURN_NONE;
    pthread_mutex_lock(&self->lock);
    self->stopping = 1;
    pthread_cond_broadcast(&self->cond);
    pthread_mutex_unlock(&self->lock);
    Py_BEGIN_ALLOW_THREADS
    fuse_session_exit(self->se);
    fuse_session_unmount(self->se); /* wakes the loop's threads out of their reads */
    if (self->loop_started)
        pthread_join(self->loop_thread, NULL);
    fuse_session_destroy(self->se);
    Py_END_ALLOW_THREADS
    self->loop_started = 0;
    self->se = NULL;
    Py_RETURN_NONE;
}

static PyObject *Mount_wait(MountObject *self, PyObject *Py_UNUSED(ignored))
{
    /* Block (without the GIL) until the FUSE loop ends, e.g. after an external unmount. */
    if (self->loop_started) {
        Py_BEGIN_ALLOW_THREADS
        pthread_join(self->loop_thread, NULL);
        Py_END_ALLOW_THREADS
        self->loop_started = 0;
    }
    return PyLong_FromLong(self->loop_result);
}

static PyMethodDef Mount_methods[] = {
    {"start", (PyCFunction)Mount_start, METH_NOARGS, "Mount and start serving."},
    {"done", (PyCFunction)Mount_done, METH_VARARGS,
     "done(rid, ok): the owner answered a chunk request."},
    {"stop", (PyCFunction)Mount_stop, METH_NOARGS, "Unmount and stop serving."},
    {"wait", (PyCFunction)Mount_wait, METH_NOARGS, "Wait until the FUSE loop ends."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject MountType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_fastfuse.Mount",
    .tp_basicsize = sizeof(MountObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A read-only FUSE mount of a lazy image's tree, served by C threads.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Mount_init,
    .tp_dealloc = (destructor)Mount_dealloc,
    .tp_methods = Mount_methods,
};

static struct PyModuleDef fastfuse_module = {
    PyModuleDef_HEAD_INIT, "_fastfuse", "The C FUSE server of lazy mounts.", -1,
    NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastfuse(void)
{
    if (PyType_Ready(&MountType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&fastfuse_module);
    if (module == NULL)
        return NULL;
    Py_INCREF(&MountType);
    if (PyModule_AddObject(module, "Mount", (PyObject *)&MountType) < 0) {
        Py_DECREF(&MountType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
