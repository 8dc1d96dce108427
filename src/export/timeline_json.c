/*
 * The JSON format of a timeline: Chrome's Trace Event Format, the object
 * cmd/trace's viewer loads from /jsontrace, which chrome://tracing,
 * Perfetto's UI and Catapult open:
 *
 *   {"displayTimeUnit":"ns","traceEvents":[ ... ],"stackFrames":{ ... }}
 *
 * Events are written as the core passes them on, one per line, through a
 * buffer of a few tens of KB; only the stack frame tree stays in memory
 * until the end (it grows with the distinct stacks, not the events).
 *
 * Spelled as Go's encoding/json spells cmd/trace's events:
 *   - ts and dur in microseconds, printed exactly from the integer
 *     nanoseconds (12.345; no float rounding, also for Unix times);
 *   - fields left out when empty as with omitempty (name, dur, sf, esf,
 *     args, cat); pid and tid as unsigned 64-bit integers;
 *   - numeric args equal to zero are left out but the args object stays,
 *     as cmd/trace's omitempty argument structs come out ("args":{} for
 *     a "proc start" of P 0 on thread 0);
 *   - strings escaped as Go 1.27's encoding/json does: each invalid
 *     UTF-8 byte becomes U+FFFD; <, >, &, U+2028, U+2029 and control
 *     characters are \u escapes (\b \f \n \r \t for those five);
 *   - stackFrames: a tree keyed by PC from the outermost frame down, each
 *     node {"name":"FUNC:LINE","parent":ID} (no parent at the roots), ids
 *     from 1; only the nodes on the stacks of written events;
 *   - a flow as a pair of events, "s" at its start (with the stack) and
 *     "t" at its end, sharing an id.
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "text.h"
#include "timeline.h"

/* Written to the sink whenever this much has gathered. */
enum { FLUSH_AT = 64 * 1024 };

/* A node of the stack frame tree; node 0 is the root (no frame). */
typedef struct frame_node {
	uint32_t parent;
	uint32_t func;             /* in names */
	uint64_t line;
	int written;               /* on a written event's stack */
} frame_node;

typedef struct json_out {
	char *buf;
	size_t len, cap;
	int err;
	int events;                /* traceEvents written so far */

	frame_node *nodes;
	size_t nnodes, capnodes;
	gt_map children;           /* (parent, pc) -> node */
	uint32_t *leaf_of;         /* core stack id -> its innermost node */
	size_t capleaf;
	gt_strtab names;
} json_out;

/* ---- the buffer ---------------------------------------------------------- */

/* The first error sticks: later writes are skipped and it is returned. */
static int fail(json_out *j, int rc)
{
	if (j->err == GOTRACE_OK)
		j->err = rc;
	return j->err;
}

/* Room for n more bytes; callers check j->err once per event. Growing
 * is rare (the buffer is flushed at FLUSH_AT), so it is out of line. */
static char *grow(json_out *j, size_t n)
{
	if (j->err != GOTRACE_OK)
		return NULL;
	if (gt_grow((void **)&j->buf, &j->cap, j->len + n, 1) != 0) {
		fail(j, GOTRACE_ERR_NOMEM);
		return NULL;
	}
	return j->buf + j->len;
}

/* Appends to the buffer; an allocation failure is recorded, not
 * returned, so that an event is written without a check per field. */
static void put(json_out *j, const char *s, size_t n)
{
	char *p = j->len + n <= j->cap ? j->buf + j->len : grow(j, n);

	if (p != NULL && n > 0) {
		memcpy(p, s, n);
		j->len += n;
	}
}

/* put() for literals. */
static void puts_(json_out *j, const char *s)
{
	put(j, s, strlen(s));
}

/* put() for one character. */
static void putc_(json_out *j, char ch)
{
	put(j, &ch, 1);
}

/* Hands the buffer to the sink in one write. */
static int flush(json_out *j, tl_core *c)
{
	if (j->err == GOTRACE_OK && j->len > 0) {
		int rc = gotrace_sink_write(tl_sink(c), j->buf, j->len);
		if (rc != GOTRACE_OK)
			fail(j, rc);
	}
	j->len = 0;
	return j->err;
}

/* Ends an event: flushes when the buffer is full enough. */
static int done(json_out *j, tl_core *c)
{
	if (j->err == GOTRACE_OK && j->len >= FLUSH_AT)
		flush(j, c);
	return j->err;
}

/* ---- numbers and strings ---------------------------------------------------- */

/* Decimal digits without printf's locale and format parsing: numbers
 * are most of what a timeline writes. */
static size_t fmt_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* pids, tids, ids and unsigned counter values: never negative, so a tid
 * of "no P" comes out as 2^64-1, as Go writes it. */
static void put_u64(json_out *j, uint64_t v)
{
	char b[24];

	put(j, b, fmt_u64(b, v));
}

/* Signed values (sort indexes, signed counters, integer args). */
static void put_i64(json_out *j, int64_t v)
{
	if (v < 0) {
		putc_(j, '-');
		put_u64(j, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(j, (uint64_t)v);
	}
}

/* Nanoseconds as microseconds: the decimal point three digits from the
 * right, trailing zeros of the fraction dropped (as Go prints the
 * float64, which holds these exactly up to 2^53 ns). */
static void put_us(json_out *j, int64_t ns)
{
	char b[32];
	size_t n = 0;
	uint64_t m, frac;

	if (ns < 0) {
		b[n++] = '-';
		m = (uint64_t)0 - (uint64_t)ns;
	} else {
		m = (uint64_t)ns;
	}
	n += fmt_u64(b + n, m / 1000);
	frac = m % 1000;
	if (frac != 0) {
		b[n++] = '.';
		b[n++] = (char)('0' + frac / 100);
		frac %= 100;
		if (frac != 0) {
			b[n++] = (char)('0' + frac / 10);
			frac %= 10;
			if (frac != 0)
				b[n++] = (char)('0' + frac);
		}
	}
	put(j, b, n);
}

/* Bytes written as they are: printable ASCII but for the quote, the
 * backslash and the three HTML characters Go escapes. */
static const unsigned char plain[256] = {
	[' '] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['\''] = 1,
	['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1,
	['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
	['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	[':'] = 1, [';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1, ['A'] = 1,
	['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,
	['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1,
	['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1,
	['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
	[0x7f] = 1
};

/* The inside of a JSON string holding data. */
static void put_string_body(json_out *j, const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0, run = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t k;
		char esc[6];
		size_t nesc = 0;

		if (plain[c]) {
			i++;
			continue;
		}
		if (c < 0x80) {
			k = 1;
			esc[nesc++] = '\\';
			switch (c) {
			case '"': case '\\': esc[nesc++] = (char)c; break;
			case '\b': esc[nesc++] = 'b'; break;
			case '\f': esc[nesc++] = 'f'; break;
			case '\n': esc[nesc++] = 'n'; break;
			case '\r': esc[nesc++] = 'r'; break;
			case '\t': esc[nesc++] = 't'; break;
			default:
				esc[nesc++] = 'u';
				esc[nesc++] = '0';
				esc[nesc++] = '0';
				esc[nesc++] = hex[c >> 4];
				esc[nesc++] = hex[c & 0xf];
			}
		} else if ((k = gt_utf8_len(s + i, len - i)) == 0) {
			/* U+FFFD, in UTF-8 as Go 1.27's encoder writes it. */
			k = 1;
			memcpy(esc, "\xef\xbf\xbd", 3);
			nesc = 3;
		} else if (k == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
		           (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			memcpy(esc, "\\u202", 5);
			esc[5] = s[i + 2] == 0xa8 ? '8' : '9';
			nesc = 6;
		} else {
			i += k;
			continue;
		}
		put(j, data + run, i - run);
		put(j, esc, nesc);
		i += k;
		run = i;
	}
	put(j, data + run, len - run);
}

/* A whole JSON string of arbitrary bytes from the trace. */
static void put_string(json_out *j, const char *data, size_t len)
{
	putc_(j, '"');
	if (len > 0)
		put_string_body(j, data, len);
	putc_(j, '"');
}

/* put_string() for keys and literals. */
static void put_cstring(json_out *j, const char *s)
{
	put_string(j, s, strlen(s));
}

/* ---- stack frames ------------------------------------------------------------ */

/* The tree node of a core stack's innermost frame, adding the stack's
 * path (outermost frame first, keyed by PC) on first use. */
static uint32_t stack_node(json_out *j, tl_core *c, tl_stack_id id)
{
	size_t depth, i;
	uint32_t node = 0;

	if (id == 0 || j->err != GOTRACE_OK)
		return 0;
	if (id < j->capleaf && j->leaf_of[id] != 0)
		return j->leaf_of[id];
	depth = tl_stack_depth(c, id);
	for (i = depth; i-- > 0;) {
		gotrace_frame f;
		uint32_t child;

		tl_stack_frame(c, id, i, &f);
		if (gt_map_get(&j->children, node, (int64_t)f.pc, &child)) {
			node = child;
			continue;
		}
		if (j->nnodes == 0)
			j->nnodes = 1;
		if (j->nnodes >= UINT32_MAX ||
		    gt_grow((void **)&j->nodes, &j->capnodes, j->nnodes + 1,
		            sizeof *j->nodes) != 0) {
			fail(j, GOTRACE_ERR_NOMEM);
			return 0;
		}
		child = (uint32_t)j->nnodes;
		memset(&j->nodes[child], 0, sizeof j->nodes[child]);
		j->nodes[child].parent = node;
		j->nodes[child].line = f.line;
		if (gt_strtab_intern(&j->names, f.func.data != NULL ? f.func.data : "",
		                     f.func.len, &j->nodes[child].func) != 0 ||
		    gt_map_put(&j->children, node, (int64_t)f.pc, child) != 0) {
			fail(j, GOTRACE_ERR_NOMEM);
			return 0;
		}
		j->nnodes++;
		node = child;
	}
	if (id >= j->capleaf) {
		size_t old = j->capleaf;
		if (gt_grow((void **)&j->leaf_of, &j->capleaf, (size_t)id + 1,
		            sizeof *j->leaf_of) != 0) {
			fail(j, GOTRACE_ERR_NOMEM);
			return 0;
		}
		memset(j->leaf_of + old, 0, (j->capleaf - old) * sizeof *j->leaf_of);
	}
	j->leaf_of[id] = node;
	return node;
}

/* Writes ,"key":NODE for a stack, and keeps its frames for stackFrames. */
static void put_stack(json_out *j, tl_core *c, const char *key,
                      tl_stack_id id)
{
	uint32_t node = stack_node(j, c, id), n;

	if (node == 0)
		return;
	for (n = node; n != 0 && !j->nodes[n].written; n = j->nodes[n].parent)
		j->nodes[n].written = 1;
	putc_(j, ',');
	put_cstring(j, key);
	putc_(j, ':');
	put_u64(j, node);
}

/* ---- events ---------------------------------------------------------------- */

/* Opens an event: the separator, name (left out when empty) and ph. */
static void event_head(json_out *j, gotrace_string name, const char *ph)
{
	puts_(j, j->events++ > 0 ? ",\n{" : "\n{");
	if (name.len > 0) {
		puts_(j, "\"name\":");
		put_string(j, name.data, name.len);
		putc_(j, ',');
	}
	puts_(j, "\"ph\":\"");
	puts_(j, ph);
	putc_(j, '"');
}

/* The Chrome track of an event: its pid and tid. */
static void put_track(json_out *j, tl_track t)
{
	puts_(j, ",\"pid\":");
	put_u64(j, t.pid);
	puts_(j, ",\"tid\":");
	put_u64(j, t.tid);
}

/* The category, left out when there is none (omitempty). */
static void put_cat(json_out *j, const char *cat)
{
	if (cat != NULL && cat[0] != '\0') {
		puts_(j, ",\"cat\":");
		put_cstring(j, cat);
	}
}

/* An event's args: the object stays even when every number in it is
 * zero and left out, as with cmd/trace's omitempty argument structs. */
static void put_args(json_out *j, const tl_arg *args, size_t n)
{
	size_t i;
	int first = 1;

	if (n == 0)
		return;
	puts_(j, ",\"args\":{");
	for (i = 0; i < n; i++) {
		const tl_arg *a = &args[i];

		if ((a->type == TL_ARG_INT && a->i == 0) ||
		    (a->type == TL_ARG_UINT && a->u == 0) || a->key == NULL)
			continue;
		if (!first)
			putc_(j, ',');
		first = 0;
		put_cstring(j, a->key);
		putc_(j, ':');
		if (a->type == TL_ARG_STR)
			put_string(j, a->s.data, a->s.len);
		else if (a->type == TL_ARG_INT)
			put_i64(j, a->i);
		else
			put_u64(j, a->u);
	}
	putc_(j, '}');
}

/* The head of the object; times are microseconds under either clock. */
static int json_begin(void *p, tl_core *c, int wall)
{
	json_out *j = p;

	(void)wall;
	puts_(j, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
	return done(j, c);
}

/* The two metadata events naming a process or track and sorting it:
 * WHAT_name and WHAT_sort_index. */
static void metadata(json_out *j, const char *what, uint64_t pid,
                     uint64_t tid, gotrace_string name, int64_t sort)
{
	char key[32];
	gotrace_string k;
	tl_track t;
	size_t n = strlen(what);

	t.pid = pid;
	t.tid = tid;
	k.data = key;
	memcpy(key, what, n);
	memcpy(key + n, "_name", 6);
	k.len = n + 5;
	event_head(j, k, "M");
	puts_(j, ",\"ts\":0");
	put_track(j, t);
	puts_(j, ",\"args\":{\"name\":");
	put_string(j, name.data, name.len);
	puts_(j, "}}");
	memcpy(key + n, "_sort_index", 12);
	k.len = n + 11;
	event_head(j, k, "M");
	puts_(j, ",\"ts\":0");
	put_track(j, t);
	puts_(j, ",\"args\":{\"sort_index\":");
	put_i64(j, sort);
	puts_(j, "}}");
}

/* A process's name and sort index, as two metadata events. */
static int json_process(void *p, tl_core *c, uint64_t pid, const char *name,
                        int64_t sort)
{
	json_out *j = p;
	gotrace_string n;

	n.data = name != NULL ? name : "";
	n.len = strlen(n.data);
	metadata(j, "process", pid, 0, n, sort);
	return done(j, c);
}

/* A track's name and sort index. The core also announces tracks no one
 * named (name.data NULL): those get no metadata. */
static int json_thread(void *p, tl_core *c, tl_track_ref trk,
                       gotrace_string name, int64_t sort)
{
	json_out *j = p;

	/* A track the view never named gets no metadata, as in cmd/trace. */
	if (name.data == NULL)
		return j->err;
	metadata(j, "thread", trk.track.pid, trk.track.tid, name, sort);
	return done(j, c);
}

/* A complete slice (ph X); JSON has no lanes, so they are ignored. */
static int json_slice(void *p, tl_core *c, const tl_out_slice *s)
{
	json_out *j = p;

	event_head(j, s->name, "X");
	puts_(j, ",\"ts\":");
	put_us(j, s->start);
	if (s->end != s->start) {
		puts_(j, ",\"dur\":");
		put_us(j, s->end - s->start);
	}
	put_track(j, s->track.track);
	put_stack(j, c, "sf", s->stack);
	put_stack(j, c, "esf", s->end_stack);
	put_args(j, s->args, s->nargs);
	put_cat(j, s->cat);
	putc_(j, '}');
	return done(j, c);
}

/* An instant on its track (ph I, scope t). A flow starting here is
 * written as the flow's own s event, as cmd/trace does. */
static int json_instant(void *p, tl_core *c, const tl_out_instant *i)
{
	json_out *j = p;

	event_head(j, i->name, "I");
	puts_(j, ",\"s\":\"t\",\"ts\":");
	put_us(j, i->time);
	put_track(j, i->track.track);
	put_stack(j, c, "sf", i->stack);
	put_args(j, i->args, i->nargs);
	put_cat(j, i->cat);
	putc_(j, '}');
	return done(j, c);
}

/* A counter sample (ph C): every series in args, in the view's order. */
static int json_counter(void *p, tl_core *c, const tl_out_counter *k)
{
	json_out *j = p;
	gotrace_string name;
	size_t i;

	name.data = k->name != NULL ? k->name : "";
	name.len = strlen(name.data);
	event_head(j, name, "C");
	puts_(j, ",\"ts\":");
	put_us(j, k->time);
	put_track(j, k->track.track);
	puts_(j, ",\"args\":{");
	for (i = 0; i < k->n; i++) {
		if (i > 0)
			putc_(j, ',');
		put_cstring(j, k->keys[i] != NULL ? k->keys[i] : "");
		putc_(j, ':');
		if (k->is_unsigned)
			put_u64(j, (uint64_t)k->values[i]);
		else
			put_i64(j, k->values[i]);
	}
	puts_(j, "}}");
	return done(j, c);
}

/* A flow: "s" where it starts, with the stack, and "t" where it ends. */
static int json_flow(void *p, tl_core *c, const tl_out_flow *f)
{
	json_out *j = p;

	event_head(j, f->name, "s");
	puts_(j, ",\"ts\":");
	put_us(j, f->from_time);
	put_track(j, f->from.track);
	puts_(j, ",\"id\":");
	put_u64(j, f->id);
	put_stack(j, c, "sf", f->stack);
	put_cat(j, f->cat);
	putc_(j, '}');
	event_head(j, f->name, "t");
	puts_(j, ",\"ts\":");
	put_us(j, f->to_time);
	put_track(j, f->to.track);
	puts_(j, ",\"id\":");
	put_u64(j, f->id);
	put_cat(j, f->cat);
	putc_(j, '}');
	return done(j, c);
}

/* The end of traceEvents, then the frames of the written stacks. */
static int json_finish(void *p, tl_core *c)
{
	json_out *j = p;
	size_t i;
	int first = 1;

	puts_(j, "\n],\n\"stackFrames\":{");
	for (i = 1; i < j->nnodes && j->err == GOTRACE_OK; i++) {
		const frame_node *n = &j->nodes[i];
		gotrace_string func;
		char line[24];
		size_t ll;

		if (!n->written)
			continue;
		puts_(j, first ? "\n\"" : ",\n\"");
		first = 0;
		put_u64(j, i);
		puts_(j, "\":{\"name\":");
		func = gt_strtab_get(&j->names, n->func);
		/* "FUNC:LINE"; the line needs no escaping, and no byte of it
		 * can complete a UTF-8 sequence the function name left open. */
		putc_(j, '"');
		if (func.len > 0)
			put_string_body(j, func.data, func.len);
		line[0] = ':';
		ll = fmt_u64(line + 1, n->line) + 1;
		put(j, line, ll);
		putc_(j, '"');
		if (n->parent != 0) {
			puts_(j, ",\"parent\":");
			put_u64(j, n->parent);
		}
		putc_(j, '}');
		done(j, c);
	}
	puts_(j, "\n}}\n");
	return flush(j, c);
}

/* Frees the writer; the sink is the core's. */
static void json_free(void *p)
{
	json_out *j = p;

	if (j == NULL)
		return;
	free(j->buf);
	free(j->nodes);
	gt_map_free(&j->children);
	free(j->leaf_of);
	gt_strtab_free(&j->names);
	free(j);
}

/* The format's entry points, for the core. */
static const tl_format_ops json_ops = {
	json_begin, json_process, json_thread, json_slice, json_instant,
	json_counter, json_flow, json_finish, json_free
};

/* The JSON format (see the top of this file); nothing is written until
 * the core begins it. */
int tl_format_json_new(void **out, const tl_format_ops **ops)
{
	json_out *j;

	*out = NULL;
	if ((j = calloc(1, sizeof *j)) == NULL)
		return GOTRACE_ERR_NOMEM;
	*out = j;
	*ops = &json_ops;
	return GOTRACE_OK;
}
