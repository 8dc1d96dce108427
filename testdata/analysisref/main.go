// Command analysisref prints Go 1.27's analyses of an execution trace as
// JSON Lines, in exactly the schemas `gotrace goroutines|tasks|regions|mmu|gc
// --json` print, so that tests/compare_analysis.py can compare the two
// record by record. It is the Go side of libgotrace's analysis references
// (testdata/README.md, "Analysis references").
//
//	analysisref MODE FILE     MODE: goroutines tasks task-types region-types mmu gc
//	analysisref histogram     cmd/trace's histogram bucket boundaries
//
// It imports internal/trace, which only packages inside GOROOT may do, so
// testdata/regen.sh builds it as cmd/gotrace-analysisref through a
// -overlay that maps that (nonexistent) GOROOT path to this file. It is our
// own code; nothing of Go's source is copied here.
//
// A trace that Go's reader rejects part way gives the records of the
// events delivered before the error (as the gotrace CLI does), then the
// error on standard error and exit status 1. If Go's own analysis panics
// on the events (possible on some damaged input), the program exits with
// status 3 and regen.sh writes no reference for that trace and mode.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"time"

	"internal/trace"
	"internal/trace/traceviewer"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: analysisref goroutines|tasks|task-types|region-types|mmu|gc FILE\n       analysisref histogram")
	os.Exit(2)
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "histogram" {
		out := bufio.NewWriter(os.Stdout)
		printHistogramTable(out)
		out.Flush()
		return
	}
	if len(os.Args) != 3 {
		usage()
	}
	mode, file := os.Args[1], os.Args[2]
	var analyse func(w *bufio.Writer, events []trace.Event)
	switch mode {
	case "goroutines":
		analyse = printGoroutines
	case "tasks":
		analyse = printTasks
	case "task-types":
		analyse = printTaskTypes
	case "region-types":
		analyse = printRegionTypes
	case "mmu":
		analyse = printMMU
	case "gc":
		analyse = printGC
	default:
		usage()
	}

	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	events, readErr := readAll(bufio.NewReaderSize(f, 1<<16))
	f.Close()

	out := bufio.NewWriter(os.Stdout)
	func() {
		defer func() {
			if p := recover(); p != nil {
				fmt.Fprintf(os.Stderr, "analysisref: Go's analysis panicked: %v\n", p)
				os.Exit(3)
			}
		}()
		analyse(out, events)
	}()
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if readErr != nil {
		fmt.Fprintln(os.Stderr, readErr)
		os.Exit(1)
	}
}

// readAll returns every event Go's reader delivers, and the error that
// stopped it (nil at the end of a good trace).
func readAll(r io.Reader) ([]trace.Event, error) {
	tr, err := trace.NewReader(r)
	if err != nil {
		return nil, err
	}
	var events []trace.Event
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			return events, nil
		}
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
}

// summarize runs Go's Summarizer over every event, then Finalize.
func summarize(events []trace.Event) *trace.Summary {
	s := trace.NewSummarizer()
	for i := range events {
		s.Event(&events[i])
	}
	return s.Finalize()
}

// ---------------------------------------------------------------------------
// JSON output. Objects are written field by field so the keys come out in
// the order the gotrace CLI prints them (the comparison does not depend on
// it, but it keeps the references readable).

type obj struct {
	b     bytes.Buffer
	first bool
}

func newObj() *obj {
	o := &obj{first: true}
	o.b.WriteByte('{')
	return o
}

func (o *obj) key(k string) {
	if !o.first {
		o.b.WriteByte(',')
	}
	o.first = false
	o.b.Write(jsonValue(k))
	o.b.WriteByte(':')
}

func (o *obj) str(k, v string)       { o.key(k); o.b.Write(jsonValue(v)) }
func (o *obj) i64(k string, v int64) { o.key(k); o.b.WriteString(strconv.FormatInt(v, 10)) }
func (o *obj) u64(k string, v uint64) {
	o.key(k)
	o.b.WriteString(strconv.FormatUint(v, 10))
}
func (o *obj) f64(k string, v float64) { o.key(k); o.b.Write(jsonValue(v)) }
func (o *obj) raw(k string, v []byte)  { o.key(k); o.b.Write(v) }

func (o *obj) line(w *bufio.Writer) {
	o.b.WriteString("}\n")
	w.Write(o.b.Bytes())
}

func jsonValue(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// NaN or ±Inf: JSON has no such numbers. Go's analyses should
		// never produce them; make it visible if they do.
		return []byte("null")
	}
	return b
}

// durationMap encodes name→ns with zero entries left out (keys sorted, as
// encoding/json sorts map keys).
func durationMap(m map[string]time.Duration) []byte {
	out := make(map[string]int64)
	for k, v := range m {
		if v != 0 {
			out[k] = int64(v)
		}
	}
	return jsonValue(out)
}

// ---------------------------------------------------------------------------
// goroutines: one line per GoroutineSummary, ascending ID.

func printGoroutines(w *bufio.Writer, events []trace.Event) {
	sum := summarize(events)
	ids := make([]trace.GoID, 0, len(sum.Goroutines))
	for id := range sum.Goroutines {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		g := sum.Goroutines[id]
		o := newObj()
		o.i64("id", int64(g.ID))
		o.str("name", g.Name)
		o.u64("pc", g.PC)
		o.i64("creation_ns", int64(g.CreationTime))
		o.i64("start_ns", int64(g.StartTime))
		o.i64("end_ns", int64(g.EndTime))
		o.i64("exec_ns", int64(g.ExecTime))
		o.i64("sched_wait_ns", int64(g.SchedWaitTime))
		o.i64("syscall_ns", int64(g.SyscallTime))
		o.i64("syscall_block_ns", int64(g.SyscallBlockTime))
		o.i64("total_ns", int64(g.TotalTime))
		o.raw("block_ns", durationMap(g.BlockTimeByReason))
		o.raw("range_ns", durationMap(g.RangeTime))
		o.i64("regions", int64(len(g.Regions)))
		o.line(w)
	}
}

// ---------------------------------------------------------------------------
// tasks: one line per UserTaskSummary, ascending ID.

func eventTime(ev *trace.Event) int64 {
	if ev == nil {
		return -1
	}
	return int64(ev.Time())
}

func printTasks(w *bufio.Writer, events []trace.Event) {
	sum := summarize(events)
	ids := make([]trace.TaskID, 0, len(sum.Tasks))
	for id := range sum.Tasks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		t := sum.Tasks[id]
		var parent uint64
		if t.Parent != nil {
			parent = uint64(t.Parent.ID)
		}
		// The map may hold a nil summary (a goroutine the Summarizer never
		// saw a transition for, or NoGoroutine); its key counts.
		gs := make([]int64, 0, len(t.Goroutines))
		for gid := range t.Goroutines {
			gs = append(gs, int64(gid))
		}
		slices.Sort(gs)
		o := newObj()
		o.u64("id", uint64(t.ID))
		o.str("name", t.Name)
		o.u64("parent", parent)
		o.i64("start_ns", eventTime(t.Start))
		o.i64("end_ns", eventTime(t.End))
		o.raw("goroutines", jsonValue(gs))
		o.i64("logs", int64(len(t.Logs)))
		o.i64("regions", int64(len(t.Regions)))
		o.line(w)
	}
}

// ---------------------------------------------------------------------------
// Distributions, as cmd/trace's pages draw them (traceviewer.TimeHistogram)
// plus exact nearest-rank percentiles.

type durations struct {
	v    []int64
	hist traceviewer.TimeHistogram
}

func (d *durations) add(ns time.Duration) {
	d.v = append(d.v, int64(ns))
	d.hist.Add(ns)
}

// nearestRank is the smallest sample with at least pct% of the samples at
// or below it: the sample of 1-based rank ceil(pct*n/100).
func nearestRank(sorted []int64, pct int) int64 {
	n := len(sorted)
	rank := (pct*n + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func (d *durations) write(o *obj) {
	sorted := slices.Clone(d.v)
	slices.Sort(sorted)
	var total, min, p50, p90, p99, max int64
	for _, v := range sorted {
		total += v
	}
	if n := len(sorted); n > 0 {
		min, max = sorted[0], sorted[n-1]
		p50 = nearestRank(sorted, 50)
		p90 = nearestRank(sorted, 90)
		p99 = nearestRank(sorted, 99)
	}
	o.i64("total_ns", total)
	o.i64("min_ns", min)
	o.i64("p50_ns", p50)
	o.i64("p90_ns", p90)
	o.i64("p99_ns", p99)
	o.i64("max_ns", max)
	h := make(map[string]int)
	for b, c := range d.hist.Buckets {
		if c > 0 {
			h[strconv.FormatInt(int64(d.hist.BucketMin(b)), 10)] = c
		}
	}
	o.raw("histogram", jsonValue(h))
}

// task-types: cmd/trace's /usertasks page. Every task counts; complete
// tasks (begin and end in the trace) give End-Start durations.
func printTaskTypes(w *bufio.Writer, events []trace.Event) {
	sum := summarize(events)
	type taskType struct {
		name     string
		count    int
		complete int
		d        durations
	}
	types := make(map[string]*taskType)
	// Visit tasks in ID order so the samples are added in a fixed order
	// (the histogram does not depend on it, but keep it reproducible).
	ids := make([]trace.TaskID, 0, len(sum.Tasks))
	for id := range sum.Tasks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		t := sum.Tasks[id]
		tt := types[t.Name]
		if tt == nil {
			tt = &taskType{name: t.Name}
			types[t.Name] = tt
		}
		tt.count++
		if t.Complete() {
			tt.complete++
			tt.d.add(t.End.Time().Sub(t.Start.Time()))
		}
	}
	list := make([]*taskType, 0, len(types))
	for _, tt := range types {
		list = append(list, tt)
	}
	slices.SortFunc(list, func(a, b *taskType) int { return cmp.Compare(a.name, b.name) })
	for _, tt := range list {
		o := newObj()
		o.str("type", tt.name)
		o.i64("count", int64(tt.count))
		o.i64("complete", int64(tt.complete))
		tt.d.write(o)
		o.line(w)
	}
}

// region-types: cmd/trace's /userregions page. Regions of every goroutine
// grouped by (name, the last frame of the begin event's stack); each
// region's duration runs from its begin (or the first event) to its end
// (or the last event).
func printRegionTypes(w *bufio.Writer, events []trace.Event) {
	sum := summarize(events)
	if len(events) == 0 {
		return
	}
	first, last := events[0].Time(), events[len(events)-1].Time()
	type key struct {
		name  string
		frame trace.StackFrame
	}
	groups := make(map[key]*durations)
	gids := make([]trace.GoID, 0, len(sum.Goroutines))
	for id := range sum.Goroutines {
		gids = append(gids, id)
	}
	slices.Sort(gids)
	for _, id := range gids {
		for _, r := range sum.Goroutines[id].Regions {
			var frame trace.StackFrame
			if r.Start != nil && r.Start.Stack() != trace.NoStack {
				for f := range r.Start.Stack().Frames() {
					frame = f
				}
			}
			start, end := first, last
			if r.Start != nil {
				start = r.Start.Time()
			}
			if r.End != nil {
				end = r.End.Time()
			}
			k := key{r.Name, frame}
			d := groups[k]
			if d == nil {
				d = new(durations)
				groups[k] = d
			}
			d.add(end.Sub(start))
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	// cmd/trace sorts by type, then PC. Equal (type, PC) with different
	// frames does not happen in real traces; break such ties by the rest
	// of the frame so the output is reproducible.
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.name, b.name),
			cmp.Compare(a.frame.PC, b.frame.PC),
			cmp.Compare(a.frame.Func, b.frame.Func),
			cmp.Compare(a.frame.File, b.frame.File),
			cmp.Compare(a.frame.Line, b.frame.Line))
	})
	for _, k := range keys {
		d := groups[k]
		o := newObj()
		o.str("type", k.name)
		o.str("func", k.frame.Func)
		o.str("file", k.frame.File)
		o.u64("line", k.frame.Line)
		o.u64("pc", k.frame.PC)
		o.i64("count", int64(len(d.v)))
		d.write(o)
		o.line(w)
	}
}

// ---------------------------------------------------------------------------
// mmu: MutatorUtilizationV2 + MMUCurve for four flag sets and windows of
// 1µs to 1s.

var mmuFlagSets = []struct {
	name  string
	flags trace.UtilFlags
}{
	{"stw,background,assist,sweep", trace.UtilSTW | trace.UtilBackground | trace.UtilAssist | trace.UtilSweep},
	{"stw", trace.UtilSTW},
	{"assist,sweep", trace.UtilAssist | trace.UtilSweep},
	{"stw,background,assist,sweep,perproc", trace.UtilSTW | trace.UtilBackground | trace.UtilAssist | trace.UtilSweep | trace.UtilPerProc},
}

var mudQuantiles = []float64{0, 0.01, 0.1, 0.5}
var mudKeys = []string{"0", "0.01", "0.1", "0.5"}

func printMMU(w *bufio.Writer, events []trace.Event) {
	for _, fs := range mmuFlagSets {
		curve := trace.NewMMUCurve(trace.MutatorUtilizationV2(events, fs.flags))
		for window := time.Microsecond; window <= time.Second; window *= 10 {
			mmu := curve.MMU(window)
			mud := curve.MUD(window, mudQuantiles)
			var mb bytes.Buffer
			mb.WriteByte('{')
			for i, q := range mud {
				if i > 0 {
					mb.WriteByte(',')
				}
				mb.Write(jsonValue(mudKeys[i]))
				mb.WriteByte(':')
				mb.Write(jsonValue(q))
			}
			mb.WriteByte('}')
			o := newObj()
			o.str("flags", fs.name)
			o.i64("window_ns", int64(window))
			o.f64("mmu", mmu)
			o.raw("mud", mb.Bytes())
			o.line(w)
		}
	}
}

// ---------------------------------------------------------------------------
// gc: our own definition (include/gotrace/analysis.h, "GC and
// stop-the-world"), computed from Go's events.
//
// A GC cycle is a "GC concurrent mark phase" range: it starts at its
// RangeBegin, or is unknown (-1) when it is first seen as RangeActive
// (running when the trace, or the first generation read, began) or first
// seen at its RangeEnd. Later RangeActive events of an open cycle (one per
// generation) change nothing. It ends at its RangeEnd, -1 if still open
// after the last event.
//
// A pause is a "stop-the-world (REASON)" range; reason is REASON (the text
// between the parentheses) and goroutine is the range's goroutine (the one
// that stopped the world; -1 if none). Begin and end are matched by
// goroutine and name.
//
// duration_ns = (end, or the last event's time) - (start, or the first
// event's time). Records come in order of their start, unknown starts
// first; records with equal starts in the order their first event came.

type gcRecord struct {
	kind      string // "gc" or "stw"
	reason    string
	goroutine int64
	start     int64
	end       int64
	seq       int
}

func printGC(w *bufio.Writer, events []trace.Event) {
	if len(events) == 0 {
		return
	}
	var recs []*gcRecord
	var openGC *gcRecord
	type stwKey struct {
		g    trace.GoID
		name string
	}
	openSTW := make(map[stwKey]*gcRecord)
	add := func(r *gcRecord) *gcRecord {
		r.seq = len(recs)
		recs = append(recs, r)
		return r
	}
	for i := range events {
		ev := &events[i]
		k := ev.Kind()
		if k != trace.EventRangeBegin && k != trace.EventRangeActive && k != trace.EventRangeEnd {
			continue
		}
		r := ev.Range()
		t := int64(ev.Time())
		switch {
		case r.Name == "GC concurrent mark phase":
			switch k {
			case trace.EventRangeBegin:
				openGC = add(&gcRecord{kind: "gc", start: t, end: -1})
			case trace.EventRangeActive:
				if openGC == nil {
					openGC = add(&gcRecord{kind: "gc", start: -1, end: -1})
				}
			case trace.EventRangeEnd:
				if openGC == nil {
					openGC = add(&gcRecord{kind: "gc", start: -1, end: -1})
				}
				openGC.end = t
				openGC = nil
			}
		case len(r.Name) >= len("stop-the-world ()") &&
			r.Name[:len("stop-the-world (")] == "stop-the-world (" &&
			r.Name[len(r.Name)-1] == ')':
			reason := r.Name[len("stop-the-world (") : len(r.Name)-1]
			g := trace.NoGoroutine
			if r.Scope.Kind == trace.ResourceGoroutine {
				g = r.Scope.Goroutine()
			}
			sk := stwKey{g, r.Name}
			open := openSTW[sk]
			switch k {
			case trace.EventRangeBegin:
				openSTW[sk] = add(&gcRecord{kind: "stw", reason: reason, goroutine: int64(g), start: t, end: -1})
			case trace.EventRangeActive:
				if open == nil {
					openSTW[sk] = add(&gcRecord{kind: "stw", reason: reason, goroutine: int64(g), start: -1, end: -1})
				}
			case trace.EventRangeEnd:
				if open == nil {
					open = add(&gcRecord{kind: "stw", reason: reason, goroutine: int64(g), start: -1, end: -1})
				}
				open.end = t
				delete(openSTW, sk)
			}
		}
	}
	first, last := int64(events[0].Time()), int64(events[len(events)-1].Time())
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].start < recs[j].start })
	for _, r := range recs {
		start, end := r.start, r.end
		if start < 0 {
			start = first
		}
		if end < 0 {
			end = last
		}
		o := newObj()
		o.str("kind", r.kind)
		if r.kind == "stw" {
			o.str("reason", r.reason)
		}
		o.i64("start_ns", r.start)
		o.i64("end_ns", r.end)
		o.i64("duration_ns", end-start)
		if r.kind == "stw" {
			o.i64("goroutine", r.goroutine)
		}
		o.line(w)
	}
}

// ---------------------------------------------------------------------------
// histogram: for each bucket b from 1 to 94 (the last bucket an int64
// duration reaches), the smallest duration TimeHistogram.Add puts in a
// bucket >= b, found by bisection over Go's own Add, and BucketMin(b).

func bucketOf(ns int64) int {
	var h traceviewer.TimeHistogram
	h.Add(time.Duration(ns))
	return h.MaxBucket
}

func printHistogramTable(w *bufio.Writer) {
	var h traceviewer.TimeHistogram
	for b := 1; ; b++ {
		if bucketOf(math.MaxInt64) < b {
			break
		}
		lo, hi := int64(1), int64(math.MaxInt64) // bucketOf(hi) >= b
		for lo < hi {
			mid := lo + (hi-lo)/2
			if bucketOf(mid) >= b {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		fmt.Fprintf(w, "%d %d %d\n", b, lo, int64(h.BucketMin(b)))
	}
}
