/* Test-side trace writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracewriter.h"

/* Type codes of the v2 wire format (see docs/format.md). */
enum {
	W_EVENT_BATCH = 1, W_STACKS = 2, W_STACK = 3, W_STRINGS = 4,
	W_STRING = 5, W_FREQUENCY = 8, W_EXPERIMENTAL_BATCH = 49, W_SYNC = 50,
	W_CLOCK_SNAPSHOT = 51, W_END_OF_GENERATION = 52,
};

static void reserve(tw_trace *t, size_t n)
{
	if (t->cap - t->len >= n)
		return;
	while (t->cap - t->len < n)
		t->cap = t->cap ? t->cap * 2 : 4096;
	t->buf = realloc(t->buf, t->cap);
	if (t->buf == NULL)
		abort();
}

void tw_init_header(tw_trace *t, int version, const void *hdr, size_t n)
{
	memset(t, 0, sizeof *t);
	t->version = version;
	if (hdr != NULL)
		tw_bytes(t, hdr, n);
}

void tw_init(tw_trace *t, int version)
{
	char hdr[17] = {0};

	/* "go 1.NN trace" padded with NULs to 16 bytes, as the runtime writes. */
	snprintf(hdr, sizeof hdr, "go 1.%d trace", version);
	tw_init_header(t, version, hdr, 16);
}

void tw_free(tw_trace *t)
{
	free(t->buf);
	memset(t, 0, sizeof *t);
}

void tw_byte(tw_trace *t, uint8_t b)
{
	reserve(t, 1);
	t->buf[t->len++] = b;
}

void tw_bytes(tw_trace *t, const void *p, size_t n)
{
	reserve(t, n);
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

void tw_uvarint(tw_trace *t, uint64_t v)
{
	while (v >= 0x80) {
		tw_byte(t, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	tw_byte(t, (uint8_t)v);
}

static void begin_common(tw_trace *t, uint64_t gen, uint64_t m, uint64_t ts)
{
	tw_uvarint(t, gen);
	tw_uvarint(t, m);
	tw_uvarint(t, ts);
	t->batch_size_at = t->len;
	tw_bytes(t, "\x80\x80\x00", 3);
	t->batch_start = t->len;
	t->in_batch = 1;
	t->last_ts = ts;
}

void tw_batch_begin(tw_trace *t, uint64_t gen, uint64_t m, uint64_t ts)
{
	tw_byte(t, W_EVENT_BATCH);
	begin_common(t, gen, m, ts);
}

void tw_exp_batch_begin(tw_trace *t, uint8_t exp, uint64_t gen, uint64_t m,
                        uint64_t ts)
{
	tw_byte(t, W_EXPERIMENTAL_BATCH);
	tw_byte(t, exp);
	begin_common(t, gen, m, ts);
}

void tw_batch_patch_size(tw_trace *t, uint64_t size)
{
	t->buf[t->batch_size_at] = (uint8_t)(0x80 | (size & 0x7f));
	t->buf[t->batch_size_at + 1] = (uint8_t)(0x80 | ((size >> 7) & 0x7f));
	t->buf[t->batch_size_at + 2] = (uint8_t)((size >> 14) & 0x7f);
}

void tw_batch_end(tw_trace *t)
{
	tw_batch_patch_size(t, t->len - t->batch_start);
	t->in_batch = 0;
}

void tw_event(tw_trace *t, uint8_t type, uint64_t ts, size_t nargs,
              const uint64_t *args)
{
	size_t i;

	tw_byte(t, type);
	tw_uvarint(t, ts - t->last_ts);
	t->last_ts = ts;
	for (i = 0; i < nargs; i++)
		tw_uvarint(t, args[i]);
}

void tw_strings(tw_trace *t, uint64_t gen, size_t n, const uint64_t *ids,
                const char *const *strs)
{
	tw_strings_len(t, gen, n, ids, strs, NULL);
}

void tw_strings_len(tw_trace *t, uint64_t gen, size_t n, const uint64_t *ids,
                    const char *const *strs, const size_t *lens)
{
	size_t i;

	tw_batch_begin(t, gen, 0, 0);
	tw_byte(t, W_STRINGS);
	for (i = 0; i < n; i++) {
		size_t len = lens != NULL ? lens[i] : strlen(strs[i]);

		tw_byte(t, W_STRING);
		tw_uvarint(t, ids[i]);
		tw_uvarint(t, len);
		tw_bytes(t, strs[i], len);
	}
	tw_batch_end(t);
}

void tw_stacks_begin(tw_trace *t, uint64_t gen)
{
	tw_batch_begin(t, gen, 0, 0);
	tw_byte(t, W_STACKS);
}

void tw_stack(tw_trace *t, uint64_t id, size_t nframes,
              const uint64_t (*frames)[4])
{
	size_t i;
	int k;

	tw_byte(t, W_STACK);
	tw_uvarint(t, id);
	tw_uvarint(t, nframes);
	for (i = 0; i < nframes; i++)
		for (k = 0; k < 4; k++)
			tw_uvarint(t, frames[i][k]);
}

void tw_sync(tw_trace *t, uint64_t gen, uint64_t ts, uint64_t freq,
             uint64_t clock_ts, uint64_t mono, uint64_t sec, uint64_t nsec)
{
	tw_batch_begin(t, gen, 0, ts);
	if (t->version >= 25) {
		tw_byte(t, W_SYNC);
		tw_byte(t, W_FREQUENCY);
		tw_uvarint(t, freq);
		tw_byte(t, W_CLOCK_SNAPSHOT);
		tw_uvarint(t, clock_ts - ts);
		tw_uvarint(t, mono);
		tw_uvarint(t, sec);
		tw_uvarint(t, nsec);
	} else {
		tw_byte(t, W_FREQUENCY);
		tw_uvarint(t, freq);
	}
	tw_batch_end(t);
}

void tw_end_of_generation(tw_trace *t)
{
	tw_byte(t, W_END_OF_GENERATION);
}

int tw_write_file(const tw_trace *t, const char *path)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return -1;
	if (fwrite(t->buf, 1, t->len, f) != t->len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* ---- v1 ------------------------------------------------------------------ */

static size_t uvarint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void tw_v1_raw(tw_trace *t, uint8_t type, size_t nargs, const uint64_t *args)
{
	size_t i;

	if (nargs >= 1 && nargs <= 3) {
		tw_byte(t, (uint8_t)(type | (nargs - 1) << 6));
		for (i = 0; i < nargs; i++)
			tw_uvarint(t, args[i]);
		return;
	}
	if (nargs == 0) {
		tw_byte(t, type);
		return;
	}
	{
		size_t len = 0;

		for (i = 0; i < nargs; i++)
			len += uvarint_len(args[i]);
		tw_byte(t, (uint8_t)(type | 3u << 6));
		tw_uvarint(t, len);
		for (i = 0; i < nargs; i++)
			tw_uvarint(t, args[i]);
	}
}

void tw_v1_batch(tw_trace *t, int64_t p, uint64_t ts)
{
	uint64_t args[2];

	args[0] = (uint64_t)p;
	args[1] = ts;
	tw_v1_raw(t, 1, 2, args);
	t->last_ts = ts;
}

void tw_v1_event(tw_trace *t, uint8_t type, uint64_t ts, size_t nargs,
                 const uint64_t *args)
{
	uint64_t all[16];
	size_t i;

	all[0] = ts - t->last_ts;
	t->last_ts = ts;
	for (i = 0; i < nargs && i + 1 < 16; i++)
		all[i + 1] = args[i];
	tw_v1_raw(t, type, nargs + 1, all);
}

void tw_v1_string(tw_trace *t, uint64_t id, const char *s)
{
	size_t len = strlen(s);

	tw_byte(t, 37);
	tw_uvarint(t, id);
	tw_uvarint(t, len);
	tw_bytes(t, s, len);
}

void tw_v1_stack(tw_trace *t, uint64_t id, size_t nframes,
                 const uint64_t (*frames)[4])
{
	uint64_t args[2 + 4 * 8];
	size_t i, n = 2;

	args[0] = id;
	args[1] = nframes;
	for (i = 0; i < nframes && i < 8; i++) {
		memcpy(&args[n], frames[i], sizeof frames[i]);
		n += 4;
	}
	tw_v1_raw(t, 3, n, args);
}

void tw_v1_log(tw_trace *t, uint64_t ts, uint64_t task, uint64_t key,
               uint64_t stk, const char *msg)
{
	uint64_t args[3];
	size_t len = strlen(msg);

	args[0] = task;
	args[1] = key;
	args[2] = stk;
	tw_v1_event(t, 48, ts, 3, args);
	tw_uvarint(t, len);
	tw_bytes(t, msg, len);
}
