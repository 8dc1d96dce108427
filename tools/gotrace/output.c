/*
 * gotrace — the record emitters: JSON Lines, CSV and aligned tables.
 *
 * JSON is written as each record ends. CSV and tables are held until
 * cli_out_flush(): the CSV header is the union of every record's keys
 * (fixed keys in the order first seen, then the nested ones sorted), and
 * a table's columns need the widest cell.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum cell_kind { CELL_STR, CELL_INT, CELL_UINT, CELL_FLOAT, CELL_DUR };

typedef struct cell {
	size_t key;
	enum cell_kind kind;
	union {
		int64_t i;
		uint64_t u;
		double f;
		char *s;
	} v;
} cell;

typedef struct row {
	cell *cells;
	size_t n;
} row;

typedef struct key {
	char *name;          /* "object.key" for a nested field */
	int nested;
	int right;           /* table: numbers align right */
} key;

typedef struct buf {
	char *data;
	size_t len, cap;
} buf;

struct cli_out {
	cli_format format;
	int failed;          /* out of memory */
	/* JSON: the record being written (tables: the line) and whether its
	 * current object (record or nested) already has a field. */
	buf json;
	int depth;
	int has_field[4];
	/* CSV and tables */
	key *keys;
	size_t nkeys, keys_cap;
	size_t hint;         /* records repeat their keys: where to look first */
	row *rows;
	size_t nrows, rows_cap;
	row cur;
	size_t cur_cap;
	char *object;        /* the open nested object's key */
	int schema;          /* records declare columns only */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* Room for n more bytes and the NUL after them; NULL once out of
 * memory. */
static char *room(cli_out *o, buf *b, size_t n)
{
	void *data = b->data;

	if (b->len + n + 1 <= b->cap && !o->failed)
		return b->data + b->len;
	if (o->failed || grow(&data, &b->cap, b->len + n + 1, 1) != 0) {
		o->failed = 1;
		return NULL;
	}
	b->data = data;
	return b->data + b->len;
}

static void put(cli_out *o, buf *b, const char *s, size_t n)
{
	char *d = room(o, b, n);

	if (d == NULL)
		return;
	memcpy(d, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_(cli_out *o, buf *b, const char *s)
{
	put(o, b, s, strlen(s));
}

/* Decimal digits of v, minus sign first if neg: every JSON number goes
 * through here, and snprintf was a tenth of `goroutines --json`. */
static void put_decimal(cli_out *o, buf *b, uint64_t v, int neg)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char num[24];
	size_t i = sizeof num;

	/* Two digits a step: half the divisions. */
	while (v >= 100) {
		size_t d = (size_t)(v % 100) * 2;

		v /= 100;
		num[--i] = pairs[d + 1];
		num[--i] = pairs[d];
	}
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (neg)
		num[--i] = '-';
	put(o, b, num + i, sizeof num - i);
}

/*
 * The length of the valid UTF-8 sequence at s (n bytes left), or 0 if
 * the byte there does not start one: Go's utf8.DecodeRune rules (no
 * overlong forms, surrogates or values past U+10FFFF).
 */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *rune)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (c < 0x80) {
		*rune = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	*rune = c & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
	for (i = 1; i < len; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xBF))
			return 0;
		*rune = *rune << 6 | (s[i] & 0x3Fu);
	}
	return len;
}

/* A JSON string as Go's encoding/json writes it, except that <, > and &
 * are left alone: each invalid UTF-8 byte becomes \ufffd. */
/* Whether s needs no escaping: printable ASCII but " and \, as nearly
 * every key and name is. Eight bytes at a time: a byte's high bit is set
 * in the mask below if it is past ASCII, under 0x20, or equal to " or \
 * (and may be set in a later byte of the word when an earlier one is: that
 * only sends a plain string down the careful path). */
static int json_plain(const char *str, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, q, b;

		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		     ((b - ones) & ~b)) & high)
			return 0;
	}
	for (; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

/* pre, then s quoted, then post: s plain (json_plain), in one copy. */
static void put_quoted(cli_out *o, buf *b, const char *pre, size_t npre,
                       const char *s, size_t n, const char *post,
                       size_t npost)
{
	char *d = room(o, b, npre + n + npost + 2);

	if (d == NULL)
		return;
	memcpy(d, pre, npre);
	d += npre;
	*d++ = '"';
	memcpy(d, s, n);
	d += n;
	*d++ = '"';
	memcpy(d, post, npost);
	b->len += npre + n + npost + 2;
	b->data[b->len] = '\0';
}

static void json_string(cli_out *o, buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0;
	char esc[8];

	if (json_plain(str, n)) {
		put_quoted(o, b, "", 0, str, n, "", 0);
		return;
	}
	put(o, b, "\"", 1);
	while (i < n) {
		unsigned rune;
		size_t len = utf8_len(s + i, n - i, &rune);
		const char *rep = NULL;

		if (len == 1 && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\') {
			i++;
			continue;
		}
		if (len > 1 && rune != 0x2028 && rune != 0x2029) {
			i += len;
			continue;
		}
		put(o, b, str + start, i - start);
		if (len == 0)
			rep = "\\ufffd";
		else if (len > 1)
			rep = rune == 0x2028 ? "\\u2028" : "\\u2029";
		else if (s[i] == '"')
			rep = "\\\"";
		else if (s[i] == '\\')
			rep = "\\\\";
		else if (s[i] == '\n')
			rep = "\\n";
		else if (s[i] == '\r')
			rep = "\\r";
		else if (s[i] == '\t')
			rep = "\\t";
		else {
			snprintf(esc, sizeof esc, "\\u%04x", s[i]);
			rep = esc;
		}
		puts_(o, b, rep);
		i += len ? len : 1;
		start = i;
	}
	put(o, b, str + start, n - start);
	put(o, b, "\"", 1);
}

cli_out *cli_out_new(cli_format format)
{
	cli_out *o = calloc(1, sizeof *o);

	if (o != NULL)
		o->format = format;
	return o;
}

cli_format cli_out_format(const cli_out *o)
{
	return o->format;
}

int cli_out_failed(const cli_out *o)
{
	return o->failed;
}

static void free_row(row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->cells[i].kind == CELL_STR)
			free(r->cells[i].v.s);
	free(r->cells);
	r->cells = NULL;
	r->n = 0;
}

void cli_out_free(cli_out *o)
{
	size_t i;

	if (o == NULL)
		return;
	free(o->json.data);
	for (i = 0; i < o->nrows; i++)
		free_row(&o->rows[i]);
	free(o->rows);
	free_row(&o->cur);
	for (i = 0; i < o->nkeys; i++)
		free(o->keys[i].name);
	free(o->keys);
	free(o->object);
	free(o);
}

/* ---- building records ---------------------------------------------------- */

void cli_rec_begin(cli_out *o)
{
	if (o->format == CLI_JSON) {
		o->json.len = 0;
		put(o, &o->json, "{", 1);
		o->depth = 0;
		o->has_field[0] = 0;
	} else {
		o->cur.cells = NULL;
		o->cur.n = 0;
		o->cur_cap = 0;
		o->hint = 0;
	}
}

void cli_out_schema(cli_out *o, int on)
{
	o->schema = on;
}

void cli_rec_end(cli_out *o)
{
	void *rows = o->rows;

	if (o->format == CLI_JSON) {
		put(o, &o->json, "}\n", 2);
		if (!o->failed && !o->schema)
			fwrite(o->json.data, 1, o->json.len, stdout);
		return;
	}
	if (o->schema) {
		free_row(&o->cur);
		return;
	}
	if (o->failed || grow(&rows, &o->rows_cap, o->nrows + 1, sizeof(row))) {
		o->failed = 1;
		free_row(&o->cur);
		return;
	}
	o->rows = rows;
	o->rows[o->nrows++] = o->cur;
	o->cur.cells = NULL;
	o->cur.n = 0;
}

/* JSON: the separator and the key of the next field. */
static void json_key_n(cli_out *o, const char *k, size_t n)
{
	int comma = o->has_field[o->depth];

	o->has_field[o->depth] = 1;
	if (json_plain(k, n)) {
		put_quoted(o, &o->json, ",", comma ? 1 : 0, k, n, ":", 1);
		return;
	}
	if (comma)
		put(o, &o->json, ",", 1);
	json_string(o, &o->json, k, n);
	put(o, &o->json, ":", 1);
}

static void json_key(cli_out *o, const char *k)
{
	json_key_n(o, k, strlen(k));
}

static size_t find_key(cli_out *o, const char *k, int right)
{
	char *name;
	size_t i, n;
	void *keys = o->keys;

	if (o->object != NULL) {
		n = strlen(o->object) + 1 + strlen(k);
		name = malloc(n + 1);
		if (name == NULL)
			return SIZE_MAX;
		snprintf(name, n + 1, "%s.%s", o->object, k);
	} else {
		n = strlen(k);
		name = malloc(n + 1);
		if (name == NULL)
			return SIZE_MAX;
		memcpy(name, k, n + 1);
	}
	if (o->hint < o->nkeys && strcmp(o->keys[o->hint].name, name) == 0) {
		free(name);
		return o->hint++;
	}
	for (i = 0; i < o->nkeys; i++)
		if (strcmp(o->keys[i].name, name) == 0) {
			free(name);
			o->hint = i + 1;
			return i;
		}
	if (grow(&keys, &o->keys_cap, o->nkeys + 1, sizeof(key)) != 0) {
		free(name);
		return SIZE_MAX;
	}
	o->keys = keys;
	o->keys[o->nkeys].name = name;
	o->keys[o->nkeys].nested = o->object != NULL;
	o->keys[o->nkeys].right = right;
	o->hint = o->nkeys + 1;
	return o->nkeys++;
}

static cell *add_cell(cli_out *o, const char *k, enum cell_kind kind)
{
	void *cells = o->cur.cells;
	size_t ki;

	if (o->failed)
		return NULL;
	/* Tables have no room for the nested objects. */
	if (o->format == CLI_TABLE && o->object != NULL)
		return NULL;
	ki = find_key(o, k, kind != CELL_STR);
	if (ki == SIZE_MAX ||
	    grow(&cells, &o->cur_cap, o->cur.n + 1, sizeof(cell)) != 0) {
		o->failed = 1;
		return NULL;
	}
	o->cur.cells = cells;
	if (kind != CELL_STR)
		o->keys[ki].right = 1;
	o->cur.cells[o->cur.n].key = ki;
	o->cur.cells[o->cur.n].kind = kind;
	return &o->cur.cells[o->cur.n++];
}

/*
 * CSV and tables stay valid UTF-8 as JSON does: each invalid byte is
 * U+FFFD. A NUL would end the cell early, and a table's control
 * characters would move the cursor: they become '?'. b ends NUL-terminated.
 */
static void printable(cli_out *o, buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	put(o, b, "", 0);
	while (i < len) {
		unsigned rune;
		size_t n = utf8_len(u + i, len - i, &rune);

		if (n == 0)
			put(o, b, "\xef\xbf\xbd", 3);
		else if (u[i] == 0 || (o->format == CLI_TABLE &&
		                       (u[i] < 0x20 || u[i] == 0x7f)))
			put(o, b, "?", 1);
		else
			put(o, b, s + i, n);
		i += n ? n : 1;
	}
}

void cli_rec_str(cli_out *o, const char *k, const char *s, size_t len)
{
	buf b = {NULL, 0, 0};
	cell *c;

	if (o->format == CLI_JSON) {
		json_key(o, k);
		json_string(o, &o->json, s, len);
		return;
	}
	printable(o, &b, s, len);
	if (o->failed || (c = add_cell(o, k, CELL_STR)) == NULL) {
		free(b.data);
		return;
	}
	c->v.s = b.data;
}

void cli_rec_cstr(cli_out *o, const char *k, const char *s)
{
	cli_rec_str(o, k, s, strlen(s));
}

void cli_rec_int(cli_out *o, const char *k, int64_t v)
{
	cell *c;

	if (o->format == CLI_JSON) {
		json_key(o, k);
		/* The magnitude in unsigned arithmetic: INT64_MIN has none in
		 * int64_t. */
		put_decimal(o, &o->json, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
	} else if ((c = add_cell(o, k, CELL_INT)) != NULL)
		c->v.i = v;
}

void cli_rec_uint(cli_out *o, const char *k, uint64_t v)
{
	cell *c;

	if (o->format == CLI_JSON) {
		json_key(o, k);
		put_decimal(o, &o->json, v, 0);
	} else if ((c = add_cell(o, k, CELL_UINT)) != NULL)
		c->v.u = v;
}

/* %.17g reads back as the same double. */
static void format_float(char *num, size_t size, double v)
{
	if (isfinite(v))
		snprintf(num, size, "%.17g", v);
	else
		snprintf(num, size, "null");
}

void cli_rec_float(cli_out *o, const char *k, double v)
{
	cell *c;

	if (o->format == CLI_JSON) {
		char num[40];

		json_key(o, k);
		format_float(num, sizeof num, v);
		puts_(o, &o->json, num);
	} else if ((c = add_cell(o, k, CELL_FLOAT)) != NULL)
		c->v.f = v;
}

void cli_rec_dur_named(cli_out *o, const char *k, size_t klen, int64_t ns)
{
	buf b = {NULL, 0, 0};
	cell *c;

	if (o->format == CLI_JSON) {
		json_key_n(o, k, klen);
		put_decimal(o, &o->json, ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns,
		            ns < 0);
		return;
	}
	printable(o, &b, k, klen);
	if (!o->failed && (c = add_cell(o, b.data, CELL_DUR)) != NULL)
		c->v.i = ns;
	free(b.data);
}

void cli_rec_dur(cli_out *o, const char *k, int64_t ns)
{
	cell *c;

	if (o->format == CLI_JSON)
		cli_rec_int(o, k, ns);
	else if ((c = add_cell(o, k, CELL_DUR)) != NULL)
		c->v.i = ns;
}

void cli_rec_int_list(cli_out *o, const char *k, const int64_t *v, size_t n)
{
	buf b = {NULL, 0, 0};
	size_t i;
	char num[32];

	if (o->format == CLI_JSON) {
		json_key(o, k);
		put(o, &o->json, "[", 1);
		for (i = 0; i < n; i++) {
			snprintf(num, sizeof num, i ? ",%lld" : "%lld", (long long)v[i]);
			puts_(o, &o->json, num);
		}
		put(o, &o->json, "]", 1);
		return;
	}
	put(o, &b, "", 0);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof num, i ? " %lld" : "%lld", (long long)v[i]);
		puts_(o, &b, num);
	}
	if (b.data != NULL)
		cli_rec_str(o, k, b.data, b.len);
	free(b.data);
}

void cli_rec_obj_begin(cli_out *o, const char *k)
{
	if (o->format == CLI_JSON) {
		json_key(o, k);
		put(o, &o->json, "{", 1);
		if (o->depth < 3)
			o->depth++;
		o->has_field[o->depth] = 0;
		return;
	}
	free(o->object);
	o->object = malloc(strlen(k) + 1);
	if (o->object == NULL)
		o->failed = 1;
	else
		memcpy(o->object, k, strlen(k) + 1);
}

void cli_rec_obj_end(cli_out *o)
{
	if (o->format == CLI_JSON) {
		put(o, &o->json, "}", 1);
		if (o->depth > 0)
			o->depth--;
		return;
	}
	free(o->object);
	o->object = NULL;
}

/* ---- writing the held records ---------------------------------------- */

static void cell_text(const cli_out *o, const cell *c, char *tmp, size_t size,
                      const char **text)
{
	switch (c->kind) {
	case CELL_STR:
		*text = c->v.s;
		return;
	case CELL_INT:
		snprintf(tmp, size, "%lld", (long long)c->v.i);
		break;
	case CELL_UINT:
		snprintf(tmp, size, "%llu", (unsigned long long)c->v.u);
		break;
	case CELL_FLOAT:
		if (o->format == CLI_TABLE)
			snprintf(tmp, size, "%.4f", c->v.f);
		else if (isfinite(c->v.f))
			format_float(tmp, size, c->v.f);
		else
			tmp[0] = '\0';
		break;
	case CELL_DUR:
		if (o->format == CLI_TABLE)
			cli_format_duration(tmp, size, c->v.i);
		else
			snprintf(tmp, size, "%lld", (long long)c->v.i);
		break;
	}
	*text = tmp;
}

static void csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static int cmp_names(const void *a, const void *b)
{
	const key *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* The column order: fixed keys as first seen, then the nested sorted. */
static size_t *column_order(const cli_out *o)
{
	size_t *pos = malloc((o->nkeys + 1) * sizeof *pos);
	const key **nested = malloc((o->nkeys + 1) * sizeof *nested);
	size_t i, n = 0, m = 0;

	if (pos == NULL || nested == NULL) {
		free(pos);
		free(nested);
		return NULL;
	}
	for (i = 0; i < o->nkeys; i++) {
		if (!o->keys[i].nested)
			pos[i] = n++;
		else
			nested[m++] = &o->keys[i];
	}
	qsort(nested, m, sizeof *nested, cmp_names);
	for (i = 0; i < m; i++)
		pos[nested[i] - o->keys] = n + i;
	free(nested);
	return pos;
}

static int flush_csv(cli_out *o)
{
	size_t *pos = column_order(o), i, j;
	const cell **line = malloc((o->nkeys + 1) * sizeof *line);
	const key **header = malloc((o->nkeys + 1) * sizeof *header);
	char tmp[64];

	if (pos == NULL || line == NULL || header == NULL) {
		free(pos);
		free(line);
		free(header);
		return -1;
	}
	for (i = 0; i < o->nkeys; i++)
		header[pos[i]] = &o->keys[i];
	for (i = 0; i < o->nkeys; i++) {
		if (i > 0)
			putchar(',');
		csv_field(header[i]->name);
	}
	putchar('\n');
	for (i = 0; i < o->nrows; i++) {
		const row *r = &o->rows[i];

		for (j = 0; j < o->nkeys; j++)
			line[j] = NULL;
		for (j = 0; j < r->n; j++)
			line[pos[r->cells[j].key]] = &r->cells[j];
		for (j = 0; j < o->nkeys; j++) {
			const char *text = "";

			if (j > 0)
				putchar(',');
			if (line[j] != NULL)
				cell_text(o, line[j], tmp, sizeof tmp, &text);
			csv_field(text);
		}
		putchar('\n');
	}
	free(pos);
	free(line);
	free(header);
	return 0;
}

static int flush_table(cli_out *o)
{
	size_t *w = calloc(o->nkeys + 1, sizeof *w), i, j;
	const cell **line = malloc((o->nkeys + 1) * sizeof *line);
	char tmp[64];

	if (w == NULL || line == NULL) {
		free(w);
		free(line);
		return -1;
	}
	for (i = 0; i < o->nkeys; i++)
		w[i] = width(o->keys[i].name);
	for (i = 0; i < o->nrows; i++)
		for (j = 0; j < o->rows[i].n; j++) {
			const cell *c = &o->rows[i].cells[j];
			const char *text;
			size_t cw;

			cell_text(o, c, tmp, sizeof tmp, &text);
			cw = width(text);
			if (cw > w[c->key])
				w[c->key] = cw;
		}
	for (i = 0; i <= o->nrows && !o->failed; i++) {
		for (j = 0; j < o->nkeys; j++)
			line[j] = NULL;
		if (i > 0)
			for (j = 0; j < o->rows[i - 1].n; j++)
				line[o->rows[i - 1].cells[j].key] = &o->rows[i - 1].cells[j];
		o->json.len = 0;
		for (j = 0; j < o->nkeys; j++) {
			const char *text = "";
			size_t pad;

			if (i == 0)
				text = o->keys[j].name;
			else if (line[j] != NULL)
				cell_text(o, line[j], tmp, sizeof tmp, &text);
			pad = w[j] - width(text);
			if (j > 0)
				put(o, &o->json, "  ", 2);
			for (; o->keys[j].right && pad > 0; pad--)
				put(o, &o->json, " ", 1);
			puts_(o, &o->json, text);
			for (; pad > 0; pad--)
				put(o, &o->json, " ", 1);
		}
		/* Empty cells at the end of a row leave no trailing blanks. */
		while (o->json.len > 0 && o->json.data[o->json.len - 1] == ' ')
			o->json.len--;
		put(o, &o->json, "\n", 1);
		if (!o->failed)
			fwrite(o->json.data, 1, o->json.len, stdout);
	}
	free(w);
	free(line);
	return o->failed ? -1 : 0;
}

int cli_out_flush(cli_out *o)
{
	int rc = 0;

	if (o->failed)
		return -1;
	if (o->format == CLI_CSV)
		rc = flush_csv(o);
	else if (o->format == CLI_TABLE && o->nkeys > 0)
		rc = flush_table(o);
	if (rc != 0)
		o->failed = 1;
	return rc;
}

void cli_rec_duration_stats(cli_out *o, const gotrace_duration_stats *d)
{
	int table = o->format == CLI_TABLE, b;

	cli_rec_dur(o, table ? "TOTAL" : "total_ns", d->total);
	cli_rec_dur(o, table ? "MIN" : "min_ns", d->min);
	cli_rec_dur(o, table ? "P50" : "p50_ns", d->p50);
	cli_rec_dur(o, table ? "P90" : "p90_ns", d->p90);
	cli_rec_dur(o, table ? "P99" : "p99_ns", d->p99);
	cli_rec_dur(o, table ? "MAX" : "max_ns", d->max);
	if (table)
		return;
	cli_rec_obj_begin(o, "histogram");
	for (b = 0; b < GOTRACE_HISTOGRAM_BUCKETS; b++)
		if (d->buckets[b] != 0) {
			char bound[32];

			snprintf(bound, sizeof bound, "%lld",
			         (long long)gotrace_histogram_bucket_min(b));
			cli_rec_uint(o, bound, d->buckets[b]);
		}
	cli_rec_obj_end(o);
}

int cli_out_done(cli_out *o)
{
	return cli_out_flush(o) != 0 ? cli_nomem() : CLI_OK;
}
