#include "nn/nn_ckpt.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tmpfile.h"
#include "base/util.h"

static void quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* Object creation properties without modification times: two runs with the
 * same seed give byte-identical checkpoints (cmp). */
static hid_t untimed(hid_t cls) {
    hid_t p = H5Pcreate(cls);
    H5Pset_obj_track_times(p, 0);
    return p;
}

/* Creates every missing group on the way to path's last component, untimed
 * (intermediate groups made by the link property would carry times). */
static int make_parents(hid_t file, const char *path) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    int rc = 0;
    for (char *p = strchr(buf + 1, '/'); p && !rc; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
            hid_t gcpl = untimed(H5P_GROUP_CREATE);
            hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            H5Pclose(gcpl);
            if (g < 0)
                rc = -1;
            else
                H5Gclose(g);
        }
        *p = '/';
    }
    return rc;
}

/* The error of a failed write: the file, the object and the system's reason
 * (a full disk says "No space left on device"). */
static int write_failed(const char *what, int e) {
    return e ? wsd_fail("cannot write %s: %s", what, strerror(e))
             : wsd_fail("cannot write %s", what);
}

static int write_floats(hid_t file, const char *path, const nn_tensor *t) {
    hsize_t dims[NN_MAX_DIM];
    for (int i = 0; i < t->ndim; i++) dims[i] = (hsize_t)t->shape[i];
    nn_tensor h = nn_tensor_host_copy(t);
    errno = 0;
    hid_t dcpl = untimed(H5P_DATASET_CREATE);
    hid_t s = t->ndim ? H5Screate_simple(t->ndim, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t d = make_parents(file, path)
                  ? -1
                  : H5Dcreate2(file, path, H5T_IEEE_F32LE, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int bad = d < 0 ||
              (h.size && H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, h.data) < 0);
    int e = errno;
    if (d >= 0 && H5Dclose(d) < 0 && !bad) bad = 1, e = errno;
    H5Sclose(s);
    H5Pclose(dcpl);
    nn_tensor_free(&h);
    if (!bad) return 0;
    char what[1100];
    snprintf(what, sizeof what, "dataset %s", path);
    return write_failed(what, e);
}

static int write_attr_double(hid_t obj, const char *name, const double *v, int n) {
    hsize_t dims[1] = {(hsize_t)n};
    hid_t s = H5Screate_simple(1, dims, NULL);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    int bad = a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, v) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    return bad ? wsd_fail("cannot write attribute %s", name) : 0;
}

static int write_strings(hid_t file, const char *path, const char *const *strs, int n, int scalar) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t s = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, NULL);
    hid_t dcpl = untimed(H5P_DATASET_CREATE);
    errno = 0;
    hid_t d = H5Dcreate2(file, path, type, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int bad =
        d < 0 || ((scalar || n) && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, strs) < 0);
    int e = errno;
    if (d >= 0 && H5Dclose(d) < 0 && !bad) bad = 1, e = errno;
    H5Sclose(s);
    H5Pclose(dcpl);
    H5Tclose(type);
    if (!bad) return 0;
    char what[1100];
    snprintf(what, sizeof what, "dataset %s", path);
    return write_failed(what, e);
}

static const char *state_names[2][2] = {{"momentum_buffer", NULL}, {"exp_avg", "exp_avg_sq"}};

static int write_optim(hid_t file, const char *name, const nn_optim *o) {
    char path[1024];
    snprintf(path, sizeof path, "/optim/%s", name);
    hid_t gcpl = untimed(H5P_GROUP_CREATE);
    hid_t g =
        make_parents(file, path) ? -1 : H5Gcreate2(file, path, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) return write_failed(path, errno);
    int ng = o->n_groups ? o->n_groups : 1;
    double *lr = wsd_calloc((size_t)ng, sizeof(double)),
           *base = wsd_calloc((size_t)ng, sizeof(double));
    for (int k = 0; k < o->n_groups; k++) {
        lr[k] = o->groups[k].lr;
        base[k] = o->groups[k].base_lr;
    }
    double kind = o->kind, hyper[5] = {o->momentum, o->weight_decay, o->beta1, o->beta2, o->eps};
    int rc = write_attr_double(g, "kind", &kind, 1) ||
             write_attr_double(g, "lr", lr, o->n_groups) ||
             write_attr_double(g, "base_lr", base, o->n_groups) ||
             write_attr_double(g, "momentum_wd_beta1_beta2_eps", hyper, 5);
    free(lr);
    free(base);
    H5Gclose(g);
    for (int k = 0; !rc && k < o->n_groups; k++) {
        const nn_param_group *gr = &o->groups[k];
        for (int i = 0; !rc && i < gr->params.n; i++) {
            if (!gr->steps[i]) continue;
            const nn_param *p = gr->params.items[i];
            for (int s = 0; s < 2 && !rc; s++) {
                const char *leaf = state_names[o->kind][s];
                if (!leaf) continue;
                snprintf(path, sizeof path, "/optim/%s/%s/%s/%s", name,
                         p->section ? p->section : "model", p->name, leaf);
                rc = write_floats(file, path, s ? &gr->state2[i] : &gr->state1[i]);
            }
            if (!rc) {
                snprintf(path, sizeof path, "/optim/%s/%s/%s", name,
                         p->section ? p->section : "model", p->name);
                hid_t pg = H5Gopen2(file, path, H5P_DEFAULT);
                double step = (double)gr->steps[i];
                rc = pg < 0 || write_attr_double(pg, "step", &step, 1);
                if (pg >= 0) H5Gclose(pg);
            }
        }
    }
    return rc ? -1 : 0;
}

/* Writes len bytes to fd; 0 or -1 with errno. */
static int write_all(int fd, const unsigned char *p, size_t len) {
    while (len > 0) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

/* The file is built in memory (HDF5's core driver, no backing store) and
 * written with plain write(2) into the temporary file: a full disk or a
 * `ulimit -f` is then an ordinary error naming the file and the reason, and
 * never reaches HDF5's own I/O (whose exit handler crashes on a file it
 * failed to close). */
int nn_ckpt_save(const char *path, const nn_ckpt_contents *c) {
    quiet();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, (size_t)1 << 20, 0);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0); /* the root group's times */
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    int rc = f < 0 ? wsd_fail("cannot create an HDF5 image in memory") : 0;
    char name[1024];
    for (int m = 0; !rc && m < c->n_models; m++) {
        const nn_params *ps = c->models[m];
        for (int i = 0; !rc && i < ps->n; i++) {
            snprintf(name, sizeof name, "/%s/%s", ps->section ? ps->section : "model",
                     ps->items[i]->name);
            rc = write_floats(f, name, &ps->items[i]->value);
        }
    }
    for (int k = 0; !rc && k < c->n_optims; k++)
        rc = write_optim(f, c->optim_names[k], c->optims[k]);
    if (!rc && c->config_json) rc = write_strings(f, "/config", &c->config_json, 1, 1);
    if (!rc && c->vocab) rc = write_strings(f, "/vocab", c->vocab, c->n_vocab, 0);
    unsigned char *image = NULL;
    ssize_t size = 0;
    if (!rc && (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0 || (size = H5Fget_file_image(f, NULL, 0)) <= 0))
        rc = wsd_fail("cannot finish the HDF5 image");
    if (!rc) {
        image = wsd_malloc((size_t)size);
        if (H5Fget_file_image(f, image, (size_t)size) != size)
            rc = wsd_fail("cannot finish the HDF5 image");
    }
    if (f >= 0 && H5Fclose(f) < 0 && !rc) rc = wsd_fail("cannot finish the HDF5 image");
    if (rc) {
        /* name the file the message was about */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", wsd_error());
        wsd_fail("%s: %s", path, msg);
        free(image);
        return -1;
    }
    int fd = -1;
    char *tmp = wsd_tmp_create(path, &fd);
    if (!tmp) {
        free(image);
        return -1;
    }
    int bad = write_all(fd, image, (size_t)size) != 0;
    int e = errno;
    if (close(fd) != 0 && !bad) bad = 1, e = errno;
    free(image);
    if (bad) {
        wsd_tmp_discard(tmp);
        rc = wsd_fail("%s: cannot write: %s", path, strerror(e));
    } else {
        rc = wsd_tmp_commit(tmp, path);
    }
    free(tmp);
    return rc ? -1 : 0;
}

/* Reads dataset `dpath` into t, checking its shape. */
static int read_floats(hid_t file, const char *fpath, const char *dpath, nn_tensor *t) {
    if (H5Lexists(file, dpath, H5P_DEFAULT) <= 0) return wsd_fail("%s: missing %s", fpath, dpath);
    hid_t d = H5Dopen2(file, dpath, H5P_DEFAULT);
    if (d < 0) return wsd_fail("%s: %s is not a dataset", fpath, dpath);
    hid_t s = H5Dget_space(d);
    int nd = H5Sget_simple_extent_ndims(s);
    hsize_t dims[8] = {0};
    int ok = nd == t->ndim && nd <= 8;
    if (ok) {
        H5Sget_simple_extent_dims(s, dims, NULL);
        for (int i = 0; i < nd; i++) ok = ok && dims[i] == (hsize_t)t->shape[i];
    }
    int rc = 0;
    if (!ok) {
        char got[128] = "(";
        if (nd > 0 && nd <= 8) {
            H5Sget_simple_extent_dims(s, dims, NULL);
            for (int i = 0; i < nd; i++)
                snprintf(got + strlen(got), sizeof got - strlen(got), i ? ", %llu" : "%llu",
                         (unsigned long long)dims[i]);
        }
        strncat(got, ")", sizeof got - strlen(got) - 1);
        rc = wsd_fail("%s: %s has shape %s, the model expects %s", fpath, dpath, got,
                      nn_tensor_shape_str(t));
    } else {
        nn_tensor h = nn_tensor_zeros(NN_CPU, t->ndim, t->shape);
        if (h.size && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, h.data) < 0)
            rc = wsd_fail("%s: cannot read %s", fpath, dpath);
        else
            nn_tensor_copy(t, &h);
        nn_tensor_free(&h);
    }
    H5Sclose(s);
    H5Dclose(d);
    return rc;
}

typedef struct {
    const nn_params *ps;
    const char *extra;
} extra_ctx;

static herr_t find_extra(hid_t g, const char *name, const H5L_info_t *info, void *data) {
    (void)g;
    (void)info;
    extra_ctx *e = data;
    if (!nn_params_find(e->ps, name)) {
        e->extra = strdup(name);
        return 1;
    }
    return 0;
}

struct nn_ckpt {
    hid_t file;
    char *path;
};

nn_ckpt *nn_ckpt_open(const char *path) {
    quiet();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        wsd_fail("%s: cannot open as an HDF5 checkpoint", path);
        return NULL;
    }
    nn_ckpt *ck = wsd_malloc(sizeof *ck);
    ck->file = f;
    ck->path = wsd_strdup(path);
    return ck;
}

void nn_ckpt_close(nn_ckpt *ck) {
    if (!ck) return;
    H5Fclose(ck->file);
    free(ck->path);
    free(ck);
}

const char *nn_ckpt_path(const nn_ckpt *ck) { return ck->path; }

int nn_ckpt_load_params(nn_ckpt *ck, nn_params *ps, const char *from_section, int strict) {
    hid_t f = ck->file;
    const char *path = ck->path;
    const char *sec = from_section ? from_section : ps->section ? ps->section : "model";
    char name[1024];
    int rc = 0;
    snprintf(name, sizeof name, "/%s", sec);
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) rc = wsd_fail("%s: no model section '%s'", path, sec);
    for (int i = 0; !rc && i < ps->n; i++) {
        snprintf(name, sizeof name, "/%s/%s", sec, ps->items[i]->name);
        rc = read_floats(f, path, name, &ps->items[i]->value);
    }
    if (!rc && strict) {
        extra_ctx e = {ps, NULL};
        snprintf(name, sizeof name, "/%s", sec);
        hid_t g = H5Gopen2(f, name, H5P_DEFAULT);
        if (g >= 0) {
            H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, find_extra, &e);
            H5Gclose(g);
        }
        if (e.extra) {
            rc = wsd_fail("%s: /%s/%s is not a parameter of this model", path, sec, e.extra);
            free((char *)e.extra);
        }
    }
    return rc ? -1 : 0;
}

static int read_attr_double(hid_t obj, const char *name, double *v, int n) {
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t s = H5Aget_space(a);
    hssize_t k = H5Sget_simple_extent_npoints(s);
    int rc = -1;
    if (k == n && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0) rc = 0;
    H5Sclose(s);
    H5Aclose(a);
    return rc;
}

int nn_ckpt_load_optim(nn_ckpt *ck, const char *name, nn_optim *o) {
    hid_t f = ck->file;
    const char *path = ck->path;
    char p[1024];
    int rc = 0;
    snprintf(p, sizeof p, "/optim/%s", name);
    hid_t g = H5Lexists(f, "/optim", H5P_DEFAULT) > 0 && H5Lexists(f, p, H5P_DEFAULT) > 0
                  ? H5Gopen2(f, p, H5P_DEFAULT)
                  : -1;
    if (g < 0) return wsd_fail("%s: no optimiser state '%s'", path, name);
    double kind = -1;
    int ng = o->n_groups ? o->n_groups : 1;
    double *lr = wsd_calloc((size_t)ng, sizeof(double));
    if (read_attr_double(g, "kind", &kind, 1) || (int)kind != (int)o->kind)
        rc = wsd_fail("%s: optimiser '%s' is of another kind", path, name);
    else if (o->n_groups && read_attr_double(g, "lr", lr, o->n_groups))
        rc = wsd_fail("%s: optimiser '%s' has a different number of parameter groups", path, name);
    for (int k = 0; !rc && k < o->n_groups; k++) {
        nn_param_group *gr = &o->groups[k];
        gr->lr = lr[k];
        for (int i = 0; !rc && i < gr->params.n; i++) {
            const nn_param *prm = gr->params.items[i];
            snprintf(p, sizeof p, "/optim/%s/%s/%s", name, prm->section ? prm->section : "model",
                     prm->name);
            if (H5Lexists(f, p, H5P_DEFAULT) <= 0) {
                gr->steps[i] = 0;
                continue;
            }
            for (int s = 0; s < 2 && !rc; s++) {
                const char *leaf = state_names[o->kind][s];
                if (!leaf) continue;
                nn_tensor *t = s ? &gr->state2[i] : &gr->state1[i];
                nn_tensor_ensure(t, prm->value.device, prm->value.ndim, prm->value.shape);
                char dp[1100];
                snprintf(dp, sizeof dp, "%s/%s", p, leaf);
                rc = read_floats(f, path, dp, t);
            }
            hid_t pg = H5Gopen2(f, p, H5P_DEFAULT);
            double step = 0;
            if (pg >= 0) {
                read_attr_double(pg, "step", &step, 1);
                H5Gclose(pg);
            }
            gr->steps[i] = (long)step;
            /* A stepped parameter had a gradient, and PyTorch keeps .grad
             * (zeroed, not None) between steps: later steps still give it
             * weight decay and momentum when nothing reaches it (train_final.py's
             * predictor in cycle epochs), so a resumed run must too. */
            if (gr->steps[i] > 0) nn_param_grad(gr->params.items[i]);
        }
    }
    free(lr);
    H5Gclose(g);
    return rc ? -1 : 0;
}

/* Reads a scalar or 1-d dataset of variable-length strings. */
static int read_strings(nn_ckpt *ck, const char *dpath, char ***out, int *n_out) {
    *out = NULL;
    *n_out = 0;
    hid_t f = ck->file;
    if (H5Lexists(f, dpath, H5P_DEFAULT) <= 0) return 1;
    hid_t d = H5Dopen2(f, dpath, H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    char **raw = wsd_calloc(n > 0 ? (size_t)n : 1, sizeof(char *));
    int rc = 0;
    if (n > 0 && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
        rc = wsd_fail("%s: cannot read %s as strings", ck->path, dpath);
    } else {
        char **words = wsd_calloc(n > 0 ? (size_t)n : 1, sizeof(char *));
        for (hssize_t i = 0; i < n; i++) words[i] = wsd_strdup(raw[i] ? raw[i] : "");
        if (n > 0) H5Dvlen_reclaim(type, s, H5P_DEFAULT, raw);
        *out = words;
        *n_out = (int)n;
    }
    free(raw);
    H5Tclose(type);
    H5Sclose(s);
    H5Dclose(d);
    return rc;
}

int nn_ckpt_read_config(nn_ckpt *ck, char **json) {
    char **strs;
    int n;
    *json = NULL;
    int rc = read_strings(ck, "/config", &strs, &n);
    if (rc < 0) return -1;
    if (rc == 0 && n >= 1) {
        *json = strs[0];
        for (int i = 1; i < n; i++) free(strs[i]);
    }
    free(rc == 0 ? strs : NULL);
    return 0;
}

int nn_ckpt_read_vocab(nn_ckpt *ck, char ***words, int *n) {
    int rc = read_strings(ck, "/vocab", words, n);
    if (rc > 0) return wsd_fail("%s: the checkpoint has no vocabulary", ck->path);
    return rc;
}

void nn_ckpt_free_vocab(char **words, int n) {
    for (int i = 0; i < n; i++) free(words[i]);
    free(words);
}

static void add_dataset_numel(hid_t obj, const char *name, long long *total) {
    hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    if (d < 0) return;
    hid_t sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    if (n > 0) *total += (long long)n;
    H5Sclose(sp);
    H5Dclose(d);
}

#if H5_VERSION_GE(1, 12, 0)
static herr_t add_numel(hid_t obj, const char *name, const H5O_info2_t *info, void *data) {
    if (info->type == H5O_TYPE_DATASET) add_dataset_numel(obj, name, data);
    return 0;
}
#else
static herr_t add_numel(hid_t obj, const char *name, const H5O_info_t *info, void *data) {
    if (info->type == H5O_TYPE_DATASET) add_dataset_numel(obj, name, data);
    return 0;
}
#endif

long long nn_ckpt_section_numel(nn_ckpt *ck, const char *section) {
    hid_t f = ck->file;
    char name[1024];
    snprintf(name, sizeof name, "/%s", section);
    long long total = 0;
    hid_t g = H5Lexists(f, name, H5P_DEFAULT) > 0 ? H5Gopen2(f, name, H5P_DEFAULT) : -1;
    if (g >= 0) {
#if H5_VERSION_GE(1, 12, 0)
        H5Ovisit3(g, H5_INDEX_NAME, H5_ITER_INC, add_numel, &total, H5O_INFO_BASIC);
#else
        H5Ovisit2(g, H5_INDEX_NAME, H5_ITER_INC, add_numel, &total, H5O_INFO_BASIC);
#endif
        H5Gclose(g);
    }
    return total;
}

int nn_ckpt_check_dims(const char *path, const char *section, long long numel,
                       const long long *dims, const char *const *what, int n) {
    for (int i = 0; i < n; i++) {
        long long a = dims[2 * i], b = dims[2 * i + 1];
        if (a < 1 || b < 1 || a > numel || b > numel || (double)a * (double)b > (double)numel)
            return wsd_fail(
                "%s: the configuration's %s %lld x %s %lld does not fit the %lld values stored "
                "under /%s (a corrupt or foreign configuration)",
                path, what[2 * i], a, what[2 * i + 1], b, numel, section);
    }
    return 0;
}

int nn_ckpt_has_section(nn_ckpt *ck, const char *section) {
    char name[1024];
    snprintf(name, sizeof name, "/%s", section);
    return H5Lexists(ck->file, name, H5P_DEFAULT) > 0;
}
