/* Zip reader: end-of-central-directory record, central directory, one local
 * header per member read (PKWARE APPNOTE 6.3, sections 4.3.7, 4.3.12, 4.3.16). */
#include "base/zip.h"

#include "base/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    char *name;
    uint32_t crc, csize, usize, local_off;
    uint16_t method, flags;
} zip_member;

struct wsd_zip {
    char *path;
    FILE *fp;
    zip_member *m;
    size_t n;
};

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_at(FILE *fp, long off, void *buf, size_t n) {
    return fseek(fp, off, SEEK_SET) == 0 && fread(buf, 1, n, fp) == n ? 0 : -1;
}

void wsd_zip_close(wsd_zip *z) {
    if (!z) return;
    for (size_t i = 0; i < z->n; i++) free(z->m[i].name);
    free(z->m);
    if (z->fp) fclose(z->fp);
    free(z->path);
    free(z);
}

static wsd_zip *bad(wsd_zip *z, const char *what) {
    wsd_fail("%s: not a readable zip archive (%s)", z->path, what);
    wsd_zip_close(z);
    return NULL;
}

wsd_zip *wsd_zip_open(const char *path) {
    wsd_zip *z = wsd_calloc(1, sizeof *z);
    z->path = wsd_strdup(path);
    z->fp = fopen(path, "rb");
    if (!z->fp) {
        wsd_fail("%s: cannot open: %s", path, strerror(errno));
        wsd_zip_close(z);
        return NULL;
    }
    if (fseek(z->fp, 0, SEEK_END) != 0) return bad(z, "cannot seek");
    long size = ftell(z->fp);
    if (size < 22) return bad(z, "too short");
    /* the end record is the last 22 bytes plus a comment of up to 65535 */
    long tail = size < 22 + 65535 ? size : 22 + 65535;
    unsigned char *buf = wsd_malloc((size_t)tail);
    if (read_at(z->fp, size - tail, buf, (size_t)tail)) {
        free(buf);
        return bad(z, "read error");
    }
    long eocd = -1;
    for (long i = tail - 22; i >= 0; i--)
        if (le32(buf + i) == 0x06054b50u && i + 22 + le16(buf + i + 20) == tail) {
            eocd = i;
            break;
        }
    if (eocd < 0) {
        free(buf);
        return bad(z, "no end-of-central-directory record");
    }
    const unsigned char *e = buf + eocd;
    uint16_t disk = le16(e + 4), cd_disk = le16(e + 6), entries = le16(e + 10);
    uint32_t cd_size = le32(e + 12), cd_off = le32(e + 16);
    free(buf);
    if (disk != 0 || cd_disk != 0) return bad(z, "multi-disk archive");
    if (entries == 0xFFFF || cd_off == 0xFFFFFFFFu) return bad(z, "zip64 archive");
    if ((long)cd_off + (long)cd_size > size) return bad(z, "central directory past the end");
    unsigned char *cd = wsd_malloc(cd_size ? cd_size : 1);
    if (read_at(z->fp, (long)cd_off, cd, cd_size)) {
        free(cd);
        return bad(z, "read error");
    }
    z->m = wsd_calloc(entries ? entries : 1, sizeof *z->m);
    size_t p = 0;
    for (uint16_t k = 0; k < entries; k++) {
        if (p + 46 > cd_size || le32(cd + p) != 0x02014b50u) {
            free(cd);
            return bad(z, "corrupt central directory");
        }
        const unsigned char *h = cd + p;
        size_t nl = le16(h + 28), xl = le16(h + 30), cl = le16(h + 32);
        if (p + 46 + nl + xl + cl > cd_size) {
            free(cd);
            return bad(z, "corrupt central directory");
        }
        zip_member *m = &z->m[z->n++];
        m->flags = le16(h + 8);
        m->method = le16(h + 10);
        m->crc = le32(h + 16);
        m->csize = le32(h + 20);
        m->usize = le32(h + 24);
        m->local_off = le32(h + 42);
        m->name = wsd_malloc(nl + 1);
        memcpy(m->name, h + 46, nl);
        m->name[nl] = '\0';
        p += 46 + nl + xl + cl;
    }
    free(cd);
    return z;
}

static const zip_member *find(const wsd_zip *z, const char *name) {
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->m[i].name, name) == 0) return &z->m[i];
    return NULL;
}

int wsd_zip_has(const wsd_zip *z, const char *name) { return find(z, name) != NULL; }

char *wsd_zip_read(const wsd_zip *z, const char *name, size_t *len) {
    const zip_member *m = find(z, name);
    if (!m) {
        wsd_fail("%s: no member %s", z->path, name);
        return NULL;
    }
    if (m->flags & 1) {
        wsd_fail("%s: member %s is encrypted", z->path, name);
        return NULL;
    }
    if (m->method != 0 && m->method != 8) {
        wsd_fail("%s: member %s uses compression method %u (only stored and deflated are read)",
                 z->path, name, m->method);
        return NULL;
    }
    if (m->csize == 0xFFFFFFFFu || m->usize == 0xFFFFFFFFu) {
        wsd_fail("%s: member %s needs zip64", z->path, name);
        return NULL;
    }
    unsigned char lh[30];
    if (read_at(z->fp, (long)m->local_off, lh, sizeof lh) || le32(lh) != 0x04034b50u) {
        wsd_fail("%s: member %s: bad local header", z->path, name);
        return NULL;
    }
    long data = (long)m->local_off + 30 + le16(lh + 26) + le16(lh + 28);
    unsigned char *comp = wsd_malloc(m->csize ? m->csize : 1);
    if (read_at(z->fp, data, comp, m->csize)) {
        free(comp);
        wsd_fail("%s: member %s: truncated", z->path, name);
        return NULL;
    }
    char *out = wsd_malloc((size_t)m->usize + 1);
    int ok = 1;
    if (m->method == 0) {
        if (m->csize != m->usize)
            ok = 0;
        else
            memcpy(out, comp, m->usize);
    } else {
        z_stream s;
        memset(&s, 0, sizeof s);
        if (inflateInit2(&s, -MAX_WBITS) != Z_OK) ok = 0;
        if (ok) {
            s.next_in = comp;
            s.avail_in = m->csize;
            s.next_out = (unsigned char *)out;
            s.avail_out = m->usize;
            int rc = inflate(&s, Z_FINISH);
            ok = rc == Z_STREAM_END && s.total_out == m->usize;
            inflateEnd(&s);
        }
    }
    free(comp);
    if (ok && (uint32_t)crc32(0L, (const unsigned char *)out, m->usize) != m->crc) ok = 0;
    if (!ok) {
        free(out);
        wsd_fail("%s: member %s is corrupt (size or CRC-32 mismatch)", z->path, name);
        return NULL;
    }
    out[m->usize] = '\0';
    if (len) *len = m->usize;
    return out;
}
