/*
 * libgotrace — random access to v2 traces: the generation index, seeking,
 * and cutting a trace down to some of its generations.
 *
 * A v2 trace (Go 1.22 and later) is a sequence of generations, each
 * self-contained: its own string and stack tables, frequency, and (Go
 * 1.25+) clock snapshot, and every goroutine's and P's status restated
 * before its first use. So a generation can be found from the batch
 * headers alone, without decoding any event, and read on its own.
 *
 * The index is that scan: per generation its number, byte range, batch
 * count, first and last batch timestamps, frequency and clock snapshot.
 * It reads each batch's header and skips its payload (it decodes only
 * the small frequency and sync batches), so it runs at the speed of
 * seeking, not of parsing.
 *
 * A reader that starts at generation N delivers exactly the events Go's
 * parser delivers for the trace cut at N (the header followed by the
 * bytes of generations N, N+1, ...): the first generation read is a
 * fresh start, as when Go reads a flight-recorder snapshot — goroutines
 * and Ps come into being with their status events, from Undetermined.
 * Stopped after generation M (gotrace_reader_set_stop), it delivers what
 * Go delivers for the header followed by the bytes of generations N..M.
 * gotrace_reader_select does both for a range of generations or times
 * (gotrace_range: what `gotrace dump --gen A:B` or --from/--to select).
 * gotrace_cut_write writes that cut trace. Only byte offsets differ from
 * the cut file's: errors and the reader's getters (offset, valid bytes)
 * keep counting in the original file.
 *
 * Costs: the scan reads one batch header per batch (batches are up to
 * 64 KB) and decodes nothing else but each generation's sync batch, so it
 * is bounded by one small read per batch, not by the trace's size
 * (docs/api.md has measurements); the index holds 120 bytes per
 * generation. A seek costs what starting a new reader does, plus the
 * index the first time.
 *
 * v1 traces (Go 1.11-1.21) have no generations: indexing one fails with
 * GOTRACE_ERR_UNSUPPORTED, and so do seeking and cutting.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_INDEX_H
#define GOTRACE_INDEX_H

#include <stdint.h>

#include "common.h"
#include "input.h"
#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gotrace_index gotrace_index;

/* One generation, as the index sees it. */
typedef struct gotrace_generation_info {
	uint64_t number;        /* the generation's number on the wire */
	uint64_t serial;        /* 1 for the file's first generation, ... */
	uint64_t start_offset;  /* byte offset of its first batch header */
	uint64_t end_offset;    /* byte offset just past its last batch (and
	                           Go 1.26's end-of-generation marker): where
	                           the next generation starts */
	uint64_t batches;       /* batches of every kind: events, strings,
	                           stacks, CPU samples, sync, experimental
	                           (not the end-of-generation marker) */
	uint64_t event_batches; /* batches of events (per-M) among them */
	/*
	 * Earliest and latest batch timestamps, in nanoseconds on the trace
	 * clock (the clock of gotrace_event.time, converted with this
	 * generation's frequency exactly as the reader converts them). The
	 * Sync event that opens the generation carries first_time (or, as
	 * Go's parser keeps time increasing, 1 ns past the event before it).
	 * A batch's events come at or after its timestamp, so events run past
	 * last_batch_time.
	 */
	int64_t first_time;
	int64_t last_batch_time;
	int has_frequency;      /* always 1: a generation without one is
	                           damage (Go's "no frequency event found") */
	uint64_t frequency;     /* ticks per second, as stored */
	/* Go 1.25+: the clock snapshot taken when the generation started. */
	int has_clock;
	int64_t clock_trace;    /* trace time of the snapshot, ns */
	uint64_t clock_mono;    /* monotonic clock, ns */
	int64_t wall_sec;       /* wall clock, Unix seconds */
	int64_t wall_nsec;      /* and nanoseconds, [0, 1e9) */
} gotrace_generation_info;

/*
 * gotrace_index_new scans in (which it takes ownership of, and frees with
 * the index) and indexes its generations. Any input works: a memory
 * input is scanned in place; a file, a descriptor that can be seeked or a
 * mapped file (through its descriptor: no page is faulted in) is read
 * with pread(2), 1 KB at each batch header, skipping the payloads; a pipe
 * or a read callback is read through, and then cannot be cut
 * (gotrace_cut_write).
 *
 * The scan checks the trace's structure the way Go's parser finds it:
 * the header, every batch header, payloads that are all there, the order
 * of generation numbers, Go 1.26's end-of-generation markers, and each
 * generation's sync data (one frequency; from Go 1.25 one clock
 * snapshot). Errors inside payloads (tables, events) are not looked for:
 * a reader meets them where Go's parser does.
 *
 * On a damaged trace the index holds the generations before the damage,
 * and the call returns the error (GOTRACE_ERR_TRUNCATED, _CORRUPT, ...,
 * with the text of the error a reader gives there), described by
 * gotrace_index_error(); the index is still returned in *out and must be
 * freed. Only generations whose bytes end cleanly are listed: the next
 * generation begins (before Go 1.26: a batch header shows the next
 * generation's number, even if what follows it is damaged), the file
 * ends, or Go 1.26's end-of-generation marker comes. A trace cut at a
 * batch boundary inside a generation (before Go 1.26) cannot be told from
 * one that ends there: its last generation is listed, as Go reads it.
 *
 * A trace that is not one (GOTRACE_ERR_FORMAT, _VERSION) or is a v1 trace
 * (GOTRACE_ERR_UNSUPPORTED) gives an empty index. *out is NULL only on
 * GOTRACE_ERR_NOMEM or GOTRACE_ERR_ARG; the input then still belongs to
 * the caller.
 */
GOTRACE_API int gotrace_index_new(gotrace_index **out, gotrace_input *in);

/* The last error of the index's scan; valid until the index is freed. */
GOTRACE_API const gotrace_error *gotrace_index_error(const gotrace_index *idx);

/* The trace's format version. */
GOTRACE_API gotrace_version gotrace_index_version(const gotrace_index *idx);

/* Size of the trace header in bytes (what a cut copies before the
 * generations; 16 as the runtime writes it). */
GOTRACE_API uint64_t gotrace_index_header_size(const gotrace_index *idx);

/*
 * The bytes of the generations the index lists: the end_offset of the
 * last one (the header included), or 0 if it lists none, since a header
 * alone holds nothing to read. On a damaged trace everything past it is
 * lost: it is what gotrace_reader_valid_bytes gives once a reader has
 * read the trace up to its error, and the figure `gotrace index` and
 * `gotrace dump -v` print ("lost P% ... (LOST of TOTAL bytes)", LOST
 * being the input's size less this).
 */
GOTRACE_API uint64_t gotrace_index_valid_bytes(const gotrace_index *idx);

/* Number of generations indexed. */
GOTRACE_API size_t gotrace_index_count(const gotrace_index *idx);

/* Generation i (0-based, in file order). Returns 0, or -1 if out of range. */
GOTRACE_API int gotrace_index_at(const gotrace_index *idx, size_t i,
                                 gotrace_generation_info *out);

/*
 * The position (0-based) of the generation numbered gen (the first, if a
 * damaged Go 1.26+ trace repeats a number), or -1 if the index has none.
 */
GOTRACE_API long gotrace_index_find_generation(const gotrace_index *idx,
                                               uint64_t gen);

/* Clocks a time to seek to can be given in. */
typedef enum gotrace_clock_kind {
	GOTRACE_CLOCK_TRACE = 0,  /* ns on the trace clock (gotrace_event.time) */
	GOTRACE_CLOCK_START = 1,  /* ns since the first generation's first_time */
	GOTRACE_CLOCK_WALL = 2    /* ns since the Unix epoch; needs snapshots */
} gotrace_clock_kind;

/*
 * The position of the generation holding time t: the last generation
 * whose first_time is at or before t (the first generation for a time
 * before the trace, the last for one after it). A wall-clock time is
 * first converted to trace time as gotrace_clock_from_wall does, with the
 * snapshot of the last generation whose snapshot's wall time is at or
 * before t (else the first's). Returns -1 if the index is empty, or for
 * GOTRACE_CLOCK_WALL if the generations carry no clock snapshot (traces
 * before Go 1.25).
 */
GOTRACE_API long gotrace_index_find_time(const gotrace_index *idx,
                                         gotrace_clock_kind clock, int64_t t);

/* Frees the index and its input. NULL is allowed. */
GOTRACE_API void gotrace_index_free(gotrace_index *idx);

/*
 * gotrace_reader_index returns the reader's index of its input, scanning
 * it on the first call (or finishing the scan a seek began), or NULL.
 * Seeks, stops and ranges of generation numbers scan only as far as the
 * generations they name, so that a seek near the start of a long trace
 * does not wait for all of it; what this returns is always the whole
 * index. The scan reads a second view of the
 * input, so the reader's position and events are not disturbed, whenever
 * it is called: the same buffer for a memory input; for a file, a
 * descriptor or a mapped file, the same descriptor with pread(2) (the
 * file must stay as it is). *rc (may be NULL) is GOTRACE_OK, or the
 * scan's error with the index of the intact generations of a damaged
 * trace still returned; with NULL, GOTRACE_ERR_UNSUPPORTED for a v1 trace
 * or an input that cannot be read twice (a pipe, a callback input), the
 * reader's error if its header was bad, GOTRACE_ERR_NOMEM or
 * GOTRACE_ERR_ARG. The index belongs to the reader and lives as long as
 * it (it can be cut: gotrace_cut_write).
 */
GOTRACE_API const gotrace_index *gotrace_reader_index(gotrace_reader *r,
                                                      int *rc);

/*
 * gotrace_reader_seek_generation makes the next event the first of the
 * generation numbered gen (its Sync), read as a fresh start: from there
 * on the reader delivers exactly what Go's parser delivers for the trace
 * cut at gen (the Syncs count from 1 again). Everything the reader held
 * is dropped: the state machine starts empty, an earlier error or end is
 * forgotten, the last event and what it pointed to are no longer valid;
 * the stop set by gotrace_reader_set_stop is kept. A reader with
 * options.threads >= 2 stops its worker thread and starts another on the
 * next gotrace_reader_next. Allowed at any time, on an input that can be
 * read twice (memory, mapped file, file or seekable descriptor); the
 * reader's index is scanned first as far as gen (gotrace_reader_index), and
 * any generation it lists can be seeked to, on a damaged trace too.
 * Returns GOTRACE_OK; GOTRACE_ERR_ARG if the index has no such generation
 * or it comes after the stop (the reader is then left as it was);
 * GOTRACE_ERR_UNSUPPORTED (v1 trace, unseekable input) or another error
 * of gotrace_reader_index; GOTRACE_ERR_IO if the input could not be
 * seeked (the reader then fails with it).
 */
GOTRACE_API int gotrace_reader_seek_generation(gotrace_reader *r,
                                               uint64_t gen);

/*
 * gotrace_reader_seek_time seeks to the generation holding t
 * (gotrace_index_find_time). Returns as gotrace_reader_seek_generation,
 * GOTRACE_ERR_ARG for an unknown clock or an empty index, and
 * GOTRACE_ERR_UNSUPPORTED for a wall-clock time in a trace without clock
 * snapshots.
 */
GOTRACE_API int gotrace_reader_seek_time(gotrace_reader *r,
                                         gotrace_clock_kind clock, int64_t t);

/*
 * gotrace_reader_set_stop makes the reader end (GOTRACE_EOF, after the
 * final Sync Go's parser gives at the end of a trace) after the
 * generation numbered last, as if the file ended there; UINT64_MAX reads
 * to the end. Call it before the first gotrace_reader_next or right after
 * a seek: later, it returns GOTRACE_ERR_ARG and changes nothing. Also
 * GOTRACE_ERR_ARG if the index has no such generation or it comes before
 * the one seeked to; otherwise returns as gotrace_reader_seek_generation.
 */
GOTRACE_API int gotrace_reader_set_stop(gotrace_reader *r, uint64_t last);

/*
 * Ranges: which generations to read, as `gotrace dump --gen A:B` or
 * --from T --to T and the Python package's gen=, from_= and to= give
 * them. A range is resolved against the index: the first generation is
 * the one numbered first_gen, or the one holding from (as
 * gotrace_index_find_time places it); the last, likewise, numbered
 * last_gen or holding to. An end not given is open: from the trace's
 * first generation, or on to wherever the trace ends (a damaged trace's
 * error then comes where a reader without a range meets it).
 */
typedef enum gotrace_range_kind {
	GOTRACE_RANGE_ALL = 0,          /* no range: every generation */
	GOTRACE_RANGE_GENERATIONS = 1,  /* first_gen..last_gen, by number */
	GOTRACE_RANGE_TIMES = 2         /* from..to, times */
} gotrace_range_kind;

typedef struct gotrace_range {
	size_t struct_size;             /* sizeof(gotrace_range): a later
	                                   version may add fields at the end,
	                                   and reads them only when
	                                   struct_size says the caller's
	                                   struct has them */
	gotrace_range_kind kind;
	int has_first;                  /* first_gen or from is given */
	int has_last;                   /* last_gen or to is given */
	uint64_t first_gen, last_gen;   /* GOTRACE_RANGE_GENERATIONS */
	gotrace_clock_kind from_clock;  /* GOTRACE_RANGE_TIMES: each time */
	gotrace_clock_kind to_clock;    /* on its own clock */
	int64_t from, to;
} gotrace_range;

/* A range that selects everything, with struct_size set; then set kind
 * and the ends given (or let the parsers below set them). */
#define GOTRACE_RANGE_INIT                                               \
	{ sizeof(gotrace_range), GOTRACE_RANGE_ALL, 0, 0, 0, 0,          \
	  GOTRACE_CLOCK_TRACE, GOTRACE_CLOCK_TRACE, 0, 0 }

/* The ends of a range, as gotrace_selection.failed_end names them. */
enum {
	GOTRACE_RANGE_FIRST = 1,  /* first_gen or from */
	GOTRACE_RANGE_LAST = 2    /* last_gen or to; both: first after last */
};

/* A range resolved against an index, or why it could not be. */
typedef struct gotrace_selection {
	size_t first, last;          /* positions in the index
	                                (gotrace_index_at), first <= last */
	uint64_t first_gen;          /* their generation numbers */
	uint64_t last_gen;
	int to_end;                  /* no last end: the read goes on after
	                                last to the end of the trace */
	/* On failure: the end that could not be placed (GOTRACE_RANGE_FIRST
	 * or _LAST; both when the first comes after the last, with first
	 * and last set), or 0 when the trace itself is the reason (no
	 * generations, not an indexable trace). */
	int failed_end;
	char message[192];           /* on failure, why, in English */
} gotrace_selection;

/*
 * gotrace_range_parse_generations parses "A:B", "A:" (A to the end),
 * ":B" (from the start) or "A" (A alone), generation numbers from 1, as
 * `gotrace dump --gen` takes them, into range (kind
 * GOTRACE_RANGE_GENERATIONS and both ends). gotrace_range_parse_time
 * parses one end (GOTRACE_RANGE_FIRST: from, GOTRACE_RANGE_LAST: to) of
 * a time range, as --from and --to take it: a duration since the
 * trace's start in Go's syntax ("1.5s", "2m3s", "250ms", or a number of
 * ns; GOTRACE_CLOCK_START), "@NS" on the trace clock
 * (GOTRACE_CLOCK_TRACE), or an RFC 3339 time ("2026-12-03T10:15:00.5Z",
 * or with +HH:MM or -HH:MM; GOTRACE_CLOCK_WALL); it sets kind to
 * GOTRACE_RANGE_TIMES and leaves the other end as it was.
 * gotrace_parse_duration parses a duration alone, as Go's
 * time.ParseDuration does but without a sign. Each returns GOTRACE_OK,
 * or GOTRACE_ERR_ARG with *why (may be NULL) set to a static reason
 * ("not a number", "A is after B", "struct_size too small", ...) and
 * range or *ns unchanged.
 */
GOTRACE_API int gotrace_range_parse_generations(gotrace_range *range,
                                                const char *text,
                                                const char **why);
GOTRACE_API int gotrace_range_parse_time(gotrace_range *range, int end,
                                         const char *text, const char **why);
GOTRACE_API int gotrace_parse_duration(const char *text, int64_t *ns,
                                       const char **why);

/*
 * gotrace_index_select resolves range against idx into *sel. Returns
 * GOTRACE_OK; or, with sel->failed_end and sel->message saying why:
 *  - the scan's error (GOTRACE_ERR_TRUNCATED, ...; gotrace_index_error)
 *    if idx lists no generation because the trace is damaged before its
 *    first generation ends (whatever the range: that is the news);
 *  - GOTRACE_ERR_ARG for a generation number idx does not list, an
 *    empty index (no complete generation), a first end after the last,
 *    or a bad range (an unknown kind or clock, a struct_size too small;
 *    NULL arguments, then with sel unchanged);
 *  - GOTRACE_ERR_UNSUPPORTED for a wall-clock time when the trace has
 *    no clock snapshots (before Go 1.25), or for the (empty) index of a
 *    v1 trace (message "a go 1.NN trace (the v1 format of Go 1.11 to
 *    1.21) has no generations").
 * GOTRACE_RANGE_ALL selects every generation (to_end set).
 */
GOTRACE_API int gotrace_index_select(const gotrace_index *idx,
                                     const gotrace_range *range,
                                     gotrace_selection *sel);

/*
 * gotrace_reader_select makes r read range: it resolves it against the
 * reader's index (gotrace_reader_index; a range of generation numbers
 * with both ends scans it only as far as they are), seeks to
 * the first generation (gotrace_reader_seek_generation) and stops after
 * the last (gotrace_reader_set_stop; no stop if the range has no last
 * end, replacing any stop set before). sel may be NULL; if not, it is
 * filled as gotrace_index_select fills it. Allowed when a seek is.
 * GOTRACE_RANGE_ALL changes nothing and returns GOTRACE_OK. Returns
 * GOTRACE_OK, or as gotrace_index_select (the reader then left as it
 * was), or with failed_end 0: GOTRACE_ERR_UNSUPPORTED for a v1 trace
 * (with gotrace_index_select's message) or an input that cannot be read
 * twice (a pipe, a callback input), another error
 * of gotrace_reader_index (the reader's own, if its header was bad), or
 * an error of the seek.
 */
GOTRACE_API int gotrace_reader_select(gotrace_reader *r,
                                      const gotrace_range *range,
                                      gotrace_selection *sel);

/*
 * gotrace_cut_write writes a trace holding only the generations at
 * positions [first, last] of idx (0-based, first <= last <
 * gotrace_index_count): the header and those generations' bytes, copied,
 * not re-encoded, through write_fn (called with ctx, as often as needed;
 * it returns 0, or nonzero to stop with GOTRACE_ERR_IO). The bytes are
 * read again from the index's input, which must be readable twice (a
 * memory input in place; a file, descriptor or mapped file with pread(2),
 * 1 MB at a time). It does not change idx: a reader's index can be cut
 * while the reader goes on. Returns GOTRACE_OK, GOTRACE_ERR_ARG,
 * GOTRACE_ERR_UNSUPPORTED (v1 trace, pipe or callback input),
 * GOTRACE_ERR_IO (errno set; EIO if the file became shorter) or
 * GOTRACE_ERR_NOMEM.
 */
typedef int (*gotrace_cut_write_fn)(void *ctx, const void *data, size_t len);
GOTRACE_API int gotrace_cut_write(const gotrace_index *idx, size_t first,
                                  size_t last, gotrace_cut_write_fn write_fn,
                                  void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_INDEX_H */
