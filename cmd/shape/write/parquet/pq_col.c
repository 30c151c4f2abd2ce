/*
 * pq_col.c: a Parquet leaf column's pages, dictionary and statistics
 * (see pq_col.h).
 *
 * Facts used (parquet-format): a v1 data page holds the repetition
 * levels, then the definition levels, each as a 4-byte little-endian
 * length and an RLE/bit-packed hybrid (absent when the maximum level is
 * 0), then the values, and is compressed as a whole.  A dictionary page
 * (PLAIN values) must come first in its chunk; dictionary-encoded data
 * pages hold one byte of bit width and the indices as an RLE/bit-packed
 * hybrid.  Statistics follow the column's sort order: signed for
 * integers, dates, times and decimals, unsigned bytes for strings.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pq_col.h"

/* Close the open page: encode, compress, keep.  -1 on failure. */
static int pqc_page_close(struct pq_col *, struct fk_err *);

int
pqc_sink_write(struct pqc_sink *s, const void *p, size_t n,
    struct fk_err *e)
{
	if (n > 0 && fwrite(p, 1, n, s->f) != n)
		return fk_fail(e, FK_EX_IOERR,
		    "cannot write parquet output: %s",
		    strerror(errno ? errno : EIO));
	s->off += n;
	return 0;
}

static void
col_add(struct pq_col *c, struct fk_buf *b, const void *p, size_t n)
{
	if (fk_buf_add(b, p, n) == -1)
		c->oom = 1;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static double
le_double(const unsigned char *p)
{
	uint64_t u = le64(p);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* Compare two values in the column's sort order (PLAIN bytes). */
static int
stat_cmp(const struct pq_col *c, const unsigned char *a, size_t an,
    const unsigned char *b, size_t bn)
{
	int64_t x, y;
	double f, g;
	size_t n;
	int r;

	switch (c->ptype) {
	case PQT_BOOLEAN:
		return (int)a[0] - (int)b[0];
	case PQT_INT32:
		x = (int32_t)le32(a);
		y = (int32_t)le32(b);
		return (x > y) - (x < y);
	case PQT_INT64:
		x = (int64_t)le64(a);
		y = (int64_t)le64(b);
		return (x > y) - (x < y);
	case PQT_DOUBLE:
		f = le_double(a);
		g = le_double(b);
		return (f > g) - (f < g);
	case PQT_FLBA:
		/* Two's complement big-endian: the sign byte is signed. */
		if (a[0] != b[0])
			return (int)(signed char)a[0] - (int)(signed char)b[0];
		return memcmp(a + 1, b + 1, an - 1);
	default:
		/* Most values part at their first byte: no call for them. */
		if (an > 0 && bn > 0 && a[0] != b[0])
			return (int)a[0] - (int)b[0];
		n = an < bn ? an : bn;
		r = n > 0 ? memcmp(a, b, n) : 0;
		if (r != 0)
			return r;
		return (an > bn) - (an < bn);
	}
}

static void
stat_set(struct pq_col *c, int which, const void *p, size_t n)
{
	struct fk_buf *b = which ? &c->ch.bmax : &c->ch.bmin;

	if (c->ptype != PQT_BYTE_ARRAY) {
		memcpy(which ? c->ch.max : c->ch.min, p, n);
		return;
	}
	fk_buf_reset(b);
	col_add(c, b, p, n);
}

static void
stat_update(struct pq_col *c, const unsigned char *p, size_t n)
{
	const unsigned char *mn = c->ch.min, *mx = c->ch.max;
	size_t mnl = (size_t)c->tlen, mxl = (size_t)c->tlen;

	if (c->ptype == PQT_DOUBLE && isnan(le_double(p))) {
		c->ch.nans++;
		return;
	}
	if (!c->ch.has_minmax) {
		stat_set(c, 0, p, n);
		stat_set(c, 1, p, n);
		c->ch.has_minmax = 1;
		return;
	}
	if (c->ptype == PQT_BYTE_ARRAY) {
		mn = (const unsigned char *)c->ch.bmin.p;
		mnl = c->ch.bmin.len;
		mx = (const unsigned char *)c->ch.bmax.p;
		mxl = c->ch.bmax.len;
	}
	if (stat_cmp(c, p, n, mn, mnl) < 0)
		stat_set(c, 0, p, n);
	else if (stat_cmp(c, p, n, mx, mxl) > 0)
		stat_set(c, 1, p, n);
}

static size_t
plain_size(const struct pq_col *c, size_t n)
{
	return c->ptype == PQT_BYTE_ARRAY ? n + 4 : n;
}

static void
plain_add(struct pq_col *c, const void *p, size_t n)
{
	unsigned char len[4];

	if (c->ptype == PQT_BYTE_ARRAY) {
		put_le32(len, (uint32_t)n);
		col_add(c, &c->vals, len, 4);
	}
	col_add(c, &c->vals, p, n);
}

static void
dict_clear(struct pqc_dict *d)
{
	fk_buf_reset(&d->plain);
	d->n = 0;
	if (d->slot != NULL)
		memset(d->slot, 0, d->nslot * sizeof(d->slot[0]));
}

static int
dict_rehash(struct pq_col *c)
{
	struct pqc_dict *d = &c->d;
	size_t nslot = d->nslot ? d->nslot * 2 : 1024, i, s;
	uint32_t *slot;

	slot = calloc(nslot, sizeof(*slot));
	if (slot == NULL)
		return -1;
	for (i = 0; i < d->n; i++) {
		s = d->hash[i] & (nslot - 1);
		while (slot[s] != 0)
			s = (s + 1) & (nslot - 1);
		slot[s] = (uint32_t)i + 1;
	}
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	return 0;
}

static int
dict_grow(struct pq_col *c)
{
	struct pqc_dict *d = &c->d;
	size_t cap = d->cap ? d->cap * 2 : 256;
	uint32_t *off, *len, *hash;

	off = realloc(d->off, cap * sizeof(*off));
	if (off == NULL)
		return -1;
	d->off = off;
	len = realloc(d->len, cap * sizeof(*len));
	if (len == NULL)
		return -1;
	d->len = len;
	hash = realloc(d->hash, cap * sizeof(*hash));
	if (hash == NULL)
		return -1;
	d->hash = hash;
	d->cap = cap;
	return 0;
}

/*
 * The dictionary index of p[0..n) (h: its pq_hash), adding it if new
 * (*isnew set).  -1
 * when the dictionary is full (or memory ran out: c->oom).
 */
static long
dict_index(struct pq_col *c, const unsigned char *p, size_t n, uint32_t h,
    int *isnew)
{
	struct pqc_dict *d = &c->d;
	size_t s, i;

	*isnew = 0;
	if ((d->n + 1) * 2 > d->nslot && dict_rehash(c) == -1)
		goto nomem;
	for (s = h & (d->nslot - 1); d->slot[s] != 0;
	    s = (s + 1) & (d->nslot - 1)) {
		i = d->slot[s] - 1;
		if (d->len[i] == n &&
		    memcmp(d->plain.p + d->off[i], p, n) == 0)
			return (long)i;
	}
	if (d->plain.len + plain_size(c, n) > PQ_DICT_MAX)
		return -1;
	if (d->n == d->cap && dict_grow(c) == -1)
		goto nomem;
	if (c->ptype == PQT_BYTE_ARRAY) {
		unsigned char len[4];

		put_le32(len, (uint32_t)n);
		if (fk_buf_add(&d->plain, len, 4) == -1)
			goto nomem;
	}
	d->off[d->n] = (uint32_t)d->plain.len;
	d->len[d->n] = (uint32_t)n;
	d->hash[d->n] = h;
	if (fk_buf_add(&d->plain, p, n) == -1)
		goto nomem;
	d->slot[s] = (uint32_t)d->n + 1;
	*isnew = 1;
	return (long)d->n++;
nomem:
	c->oom = 1;
	return -1;
}

/*
 * Leave dictionary encoding for the rest of the chunk: the open page's
 * indices become PLAIN values.  Pages already written keep the
 * dictionary; without any, it is dropped.
 */
static void
dict_fallback(struct pq_col *c)
{
	size_t i;
	uint32_t k;

	for (i = 0; i < c->nids; i++) {
		k = c->ids[i];
		plain_add(c, c->d.plain.p + c->d.off[k], c->d.len[k]);
	}
	c->nids = 0;
	if (c->ch.dict_pages > 0) {
		c->dict = PQD_FROZEN;
	} else {
		c->dict = PQD_OFF;
		dict_clear(&c->d);
	}
}

static void
col_levels(struct pq_col *c, int rep, int def)
{
	if (c->max_rep > 0)
		rle_put(&c->rep, (uint32_t)rep);
	if (c->max_def > 0)
		rle_put(&c->def, (uint32_t)def);
	c->levels++;
}

void
pqc_null(struct pq_col *c, int rep, int def)
{
	col_levels(c, rep, def);
	c->ch.nulls++;
}

static void
ids_add(struct pq_col *c, uint32_t k)
{
	uint32_t *p;
	size_t cap;

	if (c->nids == c->idcap) {
		cap = c->idcap ? c->idcap * 2 : 1024;
		p = realloc(c->ids, cap * sizeof(*p));
		if (p == NULL) {
			c->oom = 1;
			return;
		}
		c->ids = p;
		c->idcap = cap;
	}
	c->ids[c->nids++] = k;
}

void
pqc_value(struct pq_col *c, int rep, const void *p, size_t n)
{
	long k;
	int isnew;

	col_levels(c, rep, c->max_def);
	c->nvals++;
	c->plain_bytes += plain_size(c, n);
	/* Hashed only while a dictionary may pay: most columns stop. */
	if (c->dict == PQD_ON) {
		k = dict_index(c, p, n, pq_hash(p, n), &isnew);
		if (k >= 0) {
			/* Only a new distinct value can move min or max. */
			if (isnew)
				stat_update(c, p, n);
			ids_add(c, (uint32_t)k);
			return;
		}
		dict_fallback(c);
	}
	plain_add(c, p, n);
	stat_update(c, p, n);
}

void
pqc_bool(struct pq_col *c, int rep, int v)
{
	unsigned char b = v ? 1 : 0, zero = 0;

	col_levels(c, rep, c->max_def);
	if (c->nvals % 8 == 0)
		col_add(c, &c->vals, &zero, 1);
	if (c->oom)
		return;
	c->vals.p[c->vals.len - 1] |= (char)(b << (c->nvals % 8));
	c->nvals++;
	c->plain_bytes = c->vals.len;
	stat_update(c, &b, 1);
}

static int
dict_width(const struct pq_col *c)
{
	int bw = rle_bit_width(c->d.n > 0 ? (uint32_t)(c->d.n - 1) : 0);

	return bw > 0 ? bw : 1;
}

static size_t
page_size(const struct pq_col *c)
{
	size_t n = c->vals.len;

	if (c->dict == PQD_ON)
		n = (c->nids * (size_t)dict_width(c) + 7) / 8 + 1;
	if (c->max_rep > 0)
		n += rle_size(&c->rep);
	if (c->max_def > 0)
		n += rle_size(&c->def);
	return n;
}

int
pqc_row_end(struct pq_col *c, struct fk_err *e)
{
	if (c->oom)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	if (c->levels >= PQ_PAGE_LEVELS || page_size(c) >= c->page_bytes)
		return pqc_page_close(c, e);
	return 0;
}

/*
 * Does the dictionary beat PLAIN on the chunk's first page?  The sizes
 * compared are before compression, which favours PLAIN: it shrinks the
 * repeats inside a PLAIN page too, and barely shrinks the indices.  So
 * values mostly distinct (more than 3 in 4) stay PLAIN however the sizes
 * compare; a dictionary of them would also soon overflow (PQ_DICT_MAX),
 * leaving a chunk half dictionary, half PLAIN.  Measured on FakerAPI
 * users: emails (93% distinct on a first page) come out smaller PLAIN,
 * usernames (62%) smaller with a dictionary.
 */
static int
dict_pays(const struct pq_col *c)
{
	size_t est = c->d.plain.len + (c->nids * (size_t)dict_width(c) + 7) / 8;

	if (c->d.n * 4 > c->nvals * 3)
		return 0;
	return est < c->plain_bytes;
}

static void
body_levels(struct pq_col *c, struct rle *r)
{
	unsigned char len[4];

	if (rle_finish(r) == -1)
		c->oom = 1;
	put_le32(len, (uint32_t)r->out.len);
	col_add(c, c->scratch, len, 4);
	col_add(c, c->scratch, r->out.p, r->out.len);
}

static void
body_ids(struct pq_col *c)
{
	unsigned char bw = (unsigned char)dict_width(c);
	size_t i;

	rle_reset(&c->idx, bw);
	for (i = 0; i < c->nids; i++)
		rle_put(&c->idx, c->ids[i]);
	if (rle_finish(&c->idx) == -1)
		c->oom = 1;
	col_add(c, c->scratch, &bw, 1);
	col_add(c, c->scratch, c->idx.out.p, c->idx.out.len);
}

static void
page_header(struct fk_buf *h, int type, size_t usize, size_t csize,
    struct thrift *t)
{
	fk_buf_reset(h);
	thrift_init(t, h);
	thrift_begin(t);
	thrift_i32(t, 1, type);
	thrift_i32(t, 2, (int32_t)usize);
	thrift_i32(t, 3, (int32_t)csize);
}

/* Compress the scratch body; headers go to hdr, body stays in c->z. */
static int
page_pack(struct pq_col *c, struct fk_err *e)
{
	if (c->oom)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return pqz_run(c->z, c->scratch->p, c->scratch->len, e);
}

static void
page_reset(struct pq_col *c)
{
	rle_reset(&c->rep, rle_bit_width((uint32_t)c->max_rep));
	rle_reset(&c->def, rle_bit_width((uint32_t)c->max_def));
	fk_buf_reset(&c->vals);
	c->nids = 0;
	c->levels = 0;
	c->nvals = 0;
	c->plain_bytes = 0;
}

static int
pqc_page_close(struct pq_col *c, struct fk_err *e)
{
	struct fk_buf hdr = { 0 };
	struct thrift t;
	int enc, rc = -1;

	if (c->levels == 0)
		return 0;
	if (c->dict == PQD_ON && c->ch.dict_pages == 0 && c->nvals > 0 &&
	    !dict_pays(c))
		dict_fallback(c);
	/*
	 * A page of nulls before the dictionary has any entry is PLAIN: an
	 * empty dictionary page would be odd for readers.
	 */
	enc = c->dict == PQD_ON && c->d.n > 0 ? PQE_RLE_DICT :
	    PQE_PLAIN;
	fk_buf_reset(c->scratch);
	if (c->max_rep > 0)
		body_levels(c, &c->rep);
	if (c->max_def > 0)
		body_levels(c, &c->def);
	if (enc == PQE_RLE_DICT)
		body_ids(c);
	else
		col_add(c, c->scratch, c->vals.p, c->vals.len);
	if (page_pack(c, e) == -1)
		goto out;
	page_header(&hdr, PQP_DATA, c->scratch->len, c->z->len, &t);
	thrift_struct(&t, 5);
	thrift_i32(&t, 1, (int32_t)c->levels);
	thrift_i32(&t, 2, enc);
	thrift_i32(&t, 3, PQE_RLE);
	thrift_i32(&t, 4, PQE_RLE);
	thrift_end(&t);
	thrift_end(&t);
	col_add(c, &c->ch.pages, hdr.p, hdr.len);
	col_add(c, &c->ch.pages, c->z->p, c->z->len);
	if (thrift_failed(&t) || c->oom) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	c->ch.usize += (int64_t)(hdr.len + c->scratch->len);
	c->ch.csize += (int64_t)(hdr.len + c->z->len);
	c->ch.num_values += (int64_t)c->levels;
	if (enc == PQE_RLE_DICT)
		c->ch.dict_pages++;
	else
		c->ch.plain_pages++;
	page_reset(c);
	rc = 0;
out:
	fk_buf_free(&hdr);
	return rc;
}

void
pqc_init(struct pq_col *c, int ptype, int tlen, int max_def,
    int max_rep, int dict)
{
	c->ptype = ptype;
	c->tlen = tlen;
	c->max_def = max_def;
	c->max_rep = max_rep;
	c->dict_ok = dict && ptype != PQT_BOOLEAN;
	c->dict = c->dict_ok ? PQD_ON : PQD_OFF;
	page_reset(c);
}

void
pqc_chunk_free(struct pqc_chunk *ch)
{
	fk_buf_free(&ch->dict);
	fk_buf_free(&ch->pages);
	fk_buf_free(&ch->bmin);
	fk_buf_free(&ch->bmax);
	memset(ch, 0, sizeof(*ch));
}

void
pqc_free(struct pq_col *c)
{
	rle_free(&c->rep);
	rle_free(&c->def);
	rle_free(&c->idx);
	fk_buf_free(&c->vals);
	free(c->ids);
	fk_buf_free(&c->d.plain);
	free(c->d.off);
	free(c->d.len);
	free(c->d.hash);
	free(c->d.slot);
	pqc_chunk_free(&c->ch);
}

/* The dictionary page, compressed, to go ahead of the data pages. */
static int
seal_dict(struct pq_col *c, struct fk_err *e)
{
	struct fk_buf *hdr = &c->ch.dict;
	struct thrift t;

	if (pqz_run(c->z, c->d.plain.p, c->d.plain.len, e) == -1)
		return -1;
	page_header(hdr, PQP_DICT, c->d.plain.len, c->z->len, &t);
	thrift_struct(&t, 7);
	thrift_i32(&t, 1, (int32_t)c->d.n);
	thrift_i32(&t, 2, PQE_PLAIN);
	thrift_end(&t);
	thrift_end(&t);
	c->ch.usize += (int64_t)(hdr->len + c->d.plain.len);
	c->ch.csize += (int64_t)(hdr->len + c->z->len);
	col_add(c, hdr, c->z->p, c->z->len);
	if (thrift_failed(&t) || c->oom)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return 0;
}

/* A min or max statistic as PLAIN bytes (no length prefix). */
static void
stat_field(const struct pq_col *c, const struct pqc_chunk *ch,
    struct thrift *t, int16_t id, int which)
{
	unsigned char v[16];
	double d;
	uint64_t u;

	if (c->ptype == PQT_BYTE_ARRAY) {
		if (which)
			thrift_bin(t, id, ch->bmax.p, ch->bmax.len);
		else
			thrift_bin(t, id, ch->bmin.p, ch->bmin.len);
		return;
	}
	memcpy(v, which ? ch->max : ch->min, (size_t)c->tlen);
	if (c->ptype == PQT_DOUBLE) {
		/* Zero bounds are written as -0.0 (min) and +0.0 (max). */
		d = le_double(v);
		if (d == 0.0) {
			d = which ? 0.0 : -0.0;
			memcpy(&u, &d, sizeof(u));
			put_le32(v, (uint32_t)u);
			put_le32(v + 4, (uint32_t)(u >> 32));
		}
	}
	thrift_bin(t, id, v, (size_t)c->tlen);
}

static void
write_stats(const struct pq_col *c, const struct pqc_chunk *ch,
    struct thrift *t)
{
	int minmax = ch->has_minmax && ch->nans == 0;
	/* The deprecated min/max fields are signed-order only. */
	int legacy = c->ptype != PQT_BYTE_ARRAY && c->ptype != PQT_FLBA;

	if (c->ptype == PQT_BYTE_ARRAY && (ch->bmin.len > PQ_STAT_MAX ||
	    ch->bmax.len > PQ_STAT_MAX))
		minmax = 0;
	thrift_struct(t, 12);
	if (minmax && legacy) {
		stat_field(c, ch, t, 1, 1);
		stat_field(c, ch, t, 2, 0);
	}
	thrift_i64(t, 3, ch->nulls);
	if (minmax) {
		stat_field(c, ch, t, 5, 1);
		stat_field(c, ch, t, 6, 0);
		thrift_bool(t, 7, 1);
		thrift_bool(t, 8, 1);
	}
	if (c->ptype == PQT_DOUBLE)
		thrift_i64(t, 9, ch->nans);
	thrift_end(t);
}

static void
write_encodings(const struct pq_col *c, const struct pqc_chunk *ch,
    struct thrift *t)
{
	int plain = ch->plain_pages > 0 || ch->dict_pages > 0;
	int rle = c->max_def > 0 || c->max_rep > 0;
	int dict = ch->dict_pages > 0;

	thrift_list(t, 2, THRIFT_I32, (size_t)(plain + rle + dict));
	if (plain)
		thrift_elem_i32(t, PQE_PLAIN);
	if (rle)
		thrift_elem_i32(t, PQE_RLE);
	if (dict)
		thrift_elem_i32(t, PQE_RLE_DICT);
}

static void
encoding_stat(struct thrift *t, int type, int enc, int count)
{
	thrift_begin(t);
	thrift_i32(t, 1, type);
	thrift_i32(t, 2, enc);
	thrift_i32(t, 3, count);
	thrift_end(t);
}

static void
write_encoding_stats(const struct pqc_chunk *ch, struct thrift *t)
{
	size_t n = (ch->dict_pages > 0) * 2 + (ch->plain_pages > 0);

	thrift_list(t, 13, THRIFT_STRUCT, n);
	if (ch->dict_pages > 0) {
		encoding_stat(t, PQP_DICT, PQE_PLAIN, 1);
		encoding_stat(t, PQP_DATA, PQE_RLE_DICT, ch->dict_pages);
	}
	if (ch->plain_pages > 0)
		encoding_stat(t, PQP_DATA, PQE_PLAIN, ch->plain_pages);
}

static void
write_meta(const struct pq_col *c, const struct pqc_chunk *ch, int codec,
    struct thrift *t, uint64_t dict_off, uint64_t data_off)
{
	size_t i;

	thrift_begin(t);			/* ColumnChunk */
	thrift_i64(t, 2, 0);		/* file_offset: deprecated, 0 */
	thrift_struct(t, 3);		/* ColumnMetaData */
	thrift_i32(t, 1, c->ptype);
	write_encodings(c, ch, t);
	thrift_list(t, 3, THRIFT_BINARY, c->npath);
	for (i = 0; i < c->npath; i++)
		thrift_elem_str(t, c->path[i]);
	thrift_i32(t, 4, codec);
	thrift_i64(t, 5, ch->num_values);
	thrift_i64(t, 6, ch->usize);
	thrift_i64(t, 7, ch->csize);
	thrift_i64(t, 9, (int64_t)data_off);
	if (ch->dict_pages > 0)
		thrift_i64(t, 11, (int64_t)dict_off);
	write_stats(c, ch, t);
	write_encoding_stats(ch, t);
	thrift_end(t);
	thrift_end(t);
}

int
pqc_chunk_seal(struct pq_col *c, struct pqc_chunk *out, struct fk_err *e)
{
	if (pqc_page_close(c, e) == -1)
		return -1;
	if (c->ch.dict_pages > 0 && seal_dict(c, e) == -1)
		return -1;
	*out = c->ch;
	memset(&c->ch, 0, sizeof(c->ch));
	dict_clear(&c->d);
	c->dict = c->dict_ok ? PQD_ON : PQD_OFF;
	return 0;
}

int
pqc_chunk_put(const struct pq_col *c, struct pqc_chunk *ch, int codec,
    struct pqc_sink *s, struct thrift *t, struct fk_err *e)
{
	uint64_t dict_off = s->off;
	int rc = -1;

	if (pqc_sink_write(s, ch->dict.p, ch->dict.len, e) == -1)
		goto out;
	write_meta(c, ch, codec, t, dict_off, s->off);
	if (pqc_sink_write(s, ch->pages.p, ch->pages.len, e) == -1)
		goto out;
	rc = 0;
out:
	pqc_chunk_free(ch);
	return rc;
}
