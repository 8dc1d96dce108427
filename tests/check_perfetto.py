#!/usr/bin/env python3
"""Checks `gotrace timeline --format=perfetto` against Perfetto's own schema
and against `gotrace timeline --format=json` of the same trace and view.

    check_perfetto.py GOTRACE TRACES_DIR [--view V]... [--clock C]...
                      [--trace FILE]... [--truncated] [--synthetic]
                      [--schema DIR]
    check_perfetto.py --decode FILE.pftrace [--schema DIR]   (prints a summary)

For every real trace TRACES_DIR/go1.*/NAME.trace (or each --trace FILE;
with --truncated also the damaged traces TRACES_DIR/truncated/*.trace,
with --synthetic the hand-made ones of TRACES_DIR/synthetic/*.trace,
which hold invalid UTF-8 and clocks that go back), every view (--view,
default proc and thread) and every clock (--clock, default trace and
wall), runs

    GOTRACE timeline --format=json     --view=V --clock=C FILE -o A.json
    GOTRACE timeline --format=perfetto --view=V --clock=C FILE -o B.pftrace

Both runs must end with the same exit status (a damaged trace gives 1 and
what was made of it; a trace without clock snapshots fails --clock=wall);
whenever the JSON run wrote a file, the Perfetto one must hold the same
timeline. B is decoded with

    protoc --decode=perfetto.protos.Trace -I SCHEMA perfetto_trace.proto

where SCHEMA is Perfetto's upstream schema, ../shared/schemas beside the
repository (--schema to change it). Without protoc or the schema the test
is skipped (exit 77).

What the Perfetto output must be, read as the trace processor reads it:

* one valid Trace: protoc decodes it without an error or a warning (so
  every `string` field is UTF-8);
* one packet sequence (trusted_packet_sequence_id), whose first packet
  clears its incremental state; every packet after sets
  SEQ_NEEDS_INCREMENTAL_STATE; each iid used (event names, categories,
  debug annotation names, callstacks, their frames, function and file
  names) is interned on the sequence earlier (or in the same packet) and
  after the last clearing, and never interned twice with two values;
* every track an event uses is described in an earlier packet, and so is
  every parent of a described track; a counter track takes only counter
  events and other tracks none;
* replaying the events in the trace processor's order (by timestamp, then
  position in the file), a SLICE_END always closes a slice open on its
  track and none is left open at the end;
* with --clock=wall: a ClockSnapshot with REALTIME as primary trace clock
  before the first event, and REALTIME as the sequence's default
  timestamp clock (an output without events needs neither); with the
  trace clock neither;
* flows: every flow id is on exactly two events, the earlier one (the
  source) carrying it in flow_ids, the later in flow_ids or
  terminating_flow_ids; or only on a source, when the view dropped the
  flow after its start was written (the trace processor draws no arrow
  for it, and the JSON has no such flow).

What must equal the JSON (multisets; times in integer ns, the JSON's
microseconds read exactly):

* slices: (process name, track name, name, category, start, duration,
  args, stack, end stack) of each JSON "X" event and each Perfetto slice,
  where a Perfetto track's name is that of its track descriptor and its
  process name that of its parent (a lane, a child track of a track,
  counts as its parent); a negative JSON duration (on the wall clock, a
  slice across two generations whose clock snapshots disagree) counts
  as 0; an unnamed JSON track is named by its tid in
  decimal, as the Perfetto output names it; numeric args equal to 0,
  which the JSON leaves out as cmd/trace does, are left out of the
  Perfetto side too; stacks are lists of
  "function:line" from the leaf up (the JSON's stackFrames names);
* instants (JSON "I"/"i"): (process name, track name, name, category,
  time, args, stack); the Perfetto output may hold more, but only
  instants standing for a flow end that has no slice, which carry that
  flow's id;
* counters (JSON "C"): each series as a step function, (process name,
  "NAME SERIES", time, value) for each sample that changes the series'
  value from the one reported before it (the first included), against
  the Perfetto counter tracks under each process, which hold only those
  (a Chrome counter event repeats every series of the counter);
* flows (JSON "s" with its "t"/"f"): as many, and each JSON flow matched
  by a Perfetto flow between the same tracks whose end is at the JSON
  end's time and whose source is at the JSON start's time (an instant) or
  a slice holding it; an end that is an instant must be named as the
  flow.

Prints the first differences of each run and `N passed, N failed`; exits
1 if any failed, 77 if skipped.
"""

import argparse
import codecs
import collections
import decimal
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

MAX_DIFFS = 8
SKIP = 77

REALTIME = 1
SEQ_CLEARED = 1
SEQ_NEEDS = 2


class Bad(Exception):
    """The Perfetto output breaks a rule; the message says which."""


# ---- protoc's text format ------------------------------------------------

ESCAPES = {"n": 10, "r": 13, "t": 9, "\"": 34, "'": 39, "\\": 92,
           "a": 7, "b": 8, "f": 12, "v": 11, "?": 63}


def unquote(s):
    """The bytes of a text-format string literal ("..." with C escapes)."""
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise Bad("not a string literal: %r" % s)
    raw = s[1:-1].encode("utf-8")
    out = bytearray()
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c != 92:
            out.append(c)
            i += 1
            continue
        i += 1
        e = chr(raw[i])
        if e in "01234567":
            j = i
            while j < n and j < i + 3 and chr(raw[j]) in "01234567":
                j += 1
            out.append(int(raw[i:j], 8) & 0xFF)
            i = j
        elif e == "x":
            j = i + 1
            while j < n and j < i + 3 and chr(raw[j]) in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(raw[i + 1:j], 16))
            i = j
        else:
            out.append(ESCAPES[e])
            i += 1
    return bytes(out)


def scalar(v):
    if v.startswith('"'):
        return unquote(v)
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v  # an enum value's name


def packets(lines):
    """Yields each top-level `packet { ... }` of protoc's output as a
    message: a dict from field name to the list of its values."""
    stack = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line == "}":
            if not stack:
                raise Bad("unbalanced braces in protoc's output")
            done = stack.pop()
            if not stack:
                yield done
            continue
        if line.endswith("{"):
            name = line[:-1].strip()
            msg = {}
            if stack:
                stack[-1].setdefault(name, []).append(msg)
            elif name != "packet":
                raise Bad("Trace field %r" % name)
            stack.append(msg)
            continue
        name, sep, value = line.partition(": ")
        if not sep or not stack:
            raise Bad("unexpected line in protoc's output: %r" % line)
        stack[-1].setdefault(name, []).append(scalar(value))
    if stack:
        raise Bad("protoc's output ends inside a message")


def one(msg, field, default=None):
    v = msg.get(field)
    if not v:
        return default
    if len(v) != 1:
        raise Bad("field %s repeated %d times" % (field, len(v)))
    return v[0]


def per_byte(err):
    """Replaces each byte starting no well-formed UTF-8 sequence by U+FFFD,
    as the JSON timeline writes them."""
    return "\ufffd", err.start + 1


codecs.register_error("gotrace_per_byte", per_byte)


def text(b):
    return None if b is None else b.decode("utf-8", "gotrace_per_byte")


# ---- reading the Perfetto output ------------------------------------------

class Track:
    def __init__(self, uuid):
        self.uuid = uuid
        self.name = None
        self.parent = None
        self.counter = False
        self.described_at = None


class Perfetto:
    """A Perfetto file as the trace processor would see it, checked on the
    way."""

    def __init__(self):
        self.tracks = {}
        self.events = []      # (ts, index, kind, uuid, fields)
        self.seq = None
        self.cleared = False
        self.tables = {}
        self.defaults_clock = None
        self.snapshot = None
        self.first_event = None
        self.packets = 0

    def intern(self, kind, iid, value, where):
        t = self.tables.setdefault(kind, {})
        if iid in t and t[iid] != value:
            raise Bad("%s: %s iid %d interned again with another value" % (where, kind, iid))
        t[iid] = value

    def lookup(self, kind, iid, where):
        try:
            return self.tables[kind][iid]
        except KeyError:
            raise Bad("%s: %s iid %d used before it is interned" % (where, kind, iid))

    def packet(self, i, p):
        self.packets = i + 1
        where = "packet %d" % i
        seq = one(p, "trusted_packet_sequence_id")
        if seq is None or seq == 0:
            raise Bad("%s: no trusted_packet_sequence_id" % where)
        if self.seq is None:
            self.seq = seq
        elif seq != self.seq:
            raise Bad("%s: sequence %d after sequence %d" % (where, seq, self.seq))
        flags = one(p, "sequence_flags", 0)
        if flags & SEQ_CLEARED:
            self.cleared = True
            self.tables = {}
            self.defaults_clock = None
        elif not self.cleared:
            raise Bad("%s: the sequence's first packet does not clear its state" % where)
        elif not flags & SEQ_NEEDS:
            raise Bad("%s: after the sequence's defaults, no SEQ_NEEDS_INCREMENTAL_STATE" % where)
        d = one(p, "trace_packet_defaults")
        if d is not None:
            self.defaults_clock = one(d, "timestamp_clock_id")
        data = one(p, "interned_data")
        if data is not None:
            self.interned(data, where)
        payloads = [f for f in ("track_event", "track_descriptor", "clock_snapshot") if f in p]
        if len(payloads) > 1:
            raise Bad("%s: several payloads %s" % (where, payloads))
        if "clock_snapshot" in p:
            if self.snapshot is None:
                self.snapshot = one(p, "clock_snapshot")
        if "track_descriptor" in p:
            self.descriptor(i, one(p, "track_descriptor"), where)
        if "track_event" in p:
            ts = one(p, "timestamp")
            if ts is None:
                raise Bad("%s: a track event without a timestamp" % where)
            if one(p, "timestamp_clock_id") is not None:
                raise Bad("%s: a packet's own timestamp_clock_id" % where)
            if self.first_event is None:
                self.first_event = (i, self.defaults_clock, self.snapshot is not None)
            elif self.defaults_clock != self.first_event[1]:
                raise Bad("%s: the default clock changed to %r" % (where, self.defaults_clock))
            self.event(i, ts, one(p, "track_event"), where)

    def interned(self, d, where):
        for f, kind in (("event_names", "name"), ("event_categories", "category"),
                        ("debug_annotation_names", "arg"),
                        ("function_names", "function"), ("source_paths", "file")):
            for e in d.get(f, []):
                value = one(e, "name") if "name" in e else one(e, "str")
                self.intern(kind, one(e, "iid"), value, where)
        for fr in d.get("frames", []):
            func = self.lookup("function", one(fr, "function_name_id"), where)
            if one(fr, "mapping_id", 0):
                raise Bad("%s: a frame with a mapping" % where)
            self.lookup("file", one(fr, "source_path_iid"), where)
            self.intern("frame", one(fr, "iid"),
                        "%s:%d" % (text(func), one(fr, "line_number", 0)), where)
        for cs in d.get("callstacks", []):
            frames = tuple(self.lookup("frame", f, where) for f in cs.get("frame_ids", []))
            if not frames:
                raise Bad("%s: an empty callstack" % where)
            # Outermost first in Perfetto; the JSON's lists go leaf first.
            self.intern("callstack", one(cs, "iid"), tuple(reversed(frames)), where)

    def descriptor(self, i, d, where):
        uuid = one(d, "uuid")
        if not uuid:
            raise Bad("%s: a track descriptor without uuid" % where)
        t = self.tracks.get(uuid)
        if t is None:
            t = self.tracks[uuid] = Track(uuid)
            t.described_at = i
            t.parent = one(d, "parent_uuid")
            t.counter = "counter" in d
        elif one(d, "parent_uuid") != t.parent or ("counter" in d) != t.counter:
            raise Bad("%s: track %d described again with another parent or kind" % (where, uuid))
        if t.parent is not None and t.parent not in self.tracks:
            raise Bad("%s: track %d's parent %d is not described before it" % (where, uuid, t.parent))
        name = one(d, "name")
        if name is not None:
            t.name = text(name)

    def event(self, i, ts, e, where):
        kind = one(e, "type")
        uuid = one(e, "track_uuid")
        t = self.tracks.get(uuid)
        if t is None:
            raise Bad("%s: track %r is not described before its first event" % (where, uuid))
        if (kind == "TYPE_COUNTER") != t.counter:
            raise Bad("%s: a %s on a %s track" % (where, kind, "counter" if t.counter else "slice"))
        stack = e.get("callstack_iid")
        stack = self.lookup("callstack", stack[0], where) if stack else None
        flows = set(e.get("flow_ids", []))
        ends = set(e.get("terminating_flow_ids", []))
        if flows & ends:
            raise Bad("%s: flow ids both starting and terminating" % where)
        f = {"stack": stack, "flows": flows, "ends": ends}
        if kind in ("TYPE_SLICE_BEGIN", "TYPE_INSTANT"):
            f["name"] = text(self.lookup("name", one(e, "name_iid"), where))
            cats = [text(self.lookup("category", c, where)) for c in e.get("category_iids", [])]
            if len(cats) > 1:
                raise Bad("%s: several categories" % where)
            f["cat"] = cats[0] if cats else None
            args = []
            for a in e.get("debug_annotations", []):
                key = text(self.lookup("arg", one(a, "name_iid"), where))
                if "string_value" in a:
                    v = text(one(a, "string_value"))
                elif "int_value" in a:
                    v = one(a, "int_value")
                elif "uint_value" in a:
                    v = one(a, "uint_value")
                else:
                    raise Bad("%s: an annotation without a value" % where)
                # The JSON leaves numeric arguments equal to 0 out (as
                # cmd/trace's omitempty structs); the Perfetto output keeps
                # them (P 0 is a P).
                if not (isinstance(v, int) and v == 0):
                    args.append((key, v))
            f["args"] = tuple(sorted(args, key=repr))
        elif kind == "TYPE_SLICE_END":
            if "name_iid" in e or "debug_annotations" in e:
                raise Bad("%s: a slice end with a name or arguments" % where)
        elif kind == "TYPE_COUNTER":
            if "counter_value" in e:
                f["value"] = one(e, "counter_value")
            elif "double_counter_value" in e:
                f["value"] = one(e, "double_counter_value")
            else:
                raise Bad("%s: a counter event without a value" % where)
        else:
            raise Bad("%s: event type %r" % (where, kind))
        self.events.append((ts, i, kind, uuid, f))

    def place(self, uuid):
        """(process name, track name) of a track: a lane counts as its
        track, a root is a process."""
        t = self.tracks[uuid]
        chain = [t]
        while chain[-1].parent is not None:
            chain.append(self.tracks[chain[-1].parent])
        if len(chain) < 2:
            raise Bad("an event on root track %d" % uuid)
        # chain[-1] is the process; chain[-2] the track (a lane's parent).
        return chain[-1].name, chain[-2].name

    def timeline(self, wall):
        """Slices, instants, counters and flows, replayed in the trace
        processor's order."""
        if wall and self.first_event is not None:
            s = self.snapshot
            if s is None or one(s, "primary_trace_clock") != "BUILTIN_CLOCK_REALTIME":
                raise Bad("wall clock: no ClockSnapshot with REALTIME as primary trace clock")
            if REALTIME not in [one(c, "clock_id") for c in s.get("clocks", [])]:
                raise Bad("wall clock: the ClockSnapshot has no REALTIME reading")
            if self.first_event is not None and (self.first_event[1] != REALTIME or not self.first_event[2]):
                raise Bad("wall clock: events before the snapshot, or not on REALTIME")
        else:
            if self.snapshot is not None or (self.first_event and self.first_event[1] is not None):
                raise Bad("trace clock: a clock snapshot or a default clock")
        slices, instants = collections.Counter(), []
        series = collections.defaultdict(list)
        open_ = collections.defaultdict(list)
        flow_events = collections.defaultdict(list)
        # Counter samples in the order written, which is the order the
        # view reported them (times can go back on the wall clock).
        for ts, i, kind, uuid, f in self.events:
            if kind == "TYPE_COUNTER":
                p, _ = self.place(uuid)
                series[(p, self.tracks[uuid].name)].append((ts, f["value"]))
        for ts, i, kind, uuid, f in sorted(self.events, key=lambda e: (e[0], e[1])):
            if kind == "TYPE_COUNTER":
                continue
            if kind == "TYPE_SLICE_BEGIN":
                open_[uuid].append((ts, f))
                ev = ("slice", uuid, ts, f)
            elif kind == "TYPE_SLICE_END":
                if not open_[uuid]:
                    raise Bad("packet %d: SLICE_END with no slice open on track %d" % (i, uuid))
                start, b = open_[uuid].pop()
                p, t = self.place(uuid)
                slices[(p, t, b["name"], b["cat"], start, ts - start, b["args"],
                        b["stack"], f["stack"])] += 1
                b["end"] = ts
                ev = None
            else:
                ev = ("instant", uuid, ts, f)
                p, t = self.place(uuid)
                instants.append(((p, t, f["name"], f["cat"], ts, f["args"], f["stack"]), f))
            if ev is not None:
                for fid in f["flows"]:
                    flow_events[fid].append((ev, False))
                for fid in f["ends"]:
                    flow_events[fid].append((ev, True))
        for uuid, st in open_.items():
            if st:
                raise Bad("%d slice(s) left open on track %d" % (len(st), uuid))
        flows = []
        self.dangling = 0
        for fid, evs in flow_events.items():
            if len(evs) == 1 and not evs[0][1]:
                # A flow the view dropped after its start was written: the
                # trace processor draws nothing for it, nor does the JSON.
                self.dangling += 1
                continue
            if len(evs) != 2:
                raise Bad("flow %d is on %d events" % (fid, len(evs)))
            (src, src_term), (dst, _) = evs
            if src_term:
                raise Bad("flow %d: its source terminates it" % fid)
            s_kind, s_uuid, s_ts, s_f = src
            d_kind, d_uuid, d_ts, d_f = dst
            s_end = s_f.get("end", s_ts) if s_kind == "slice" else s_ts
            flows.append((fid, self.place(s_uuid), s_ts, s_end, s_kind,
                          self.place(d_uuid), d_ts, d_kind, d_f))
        return slices, instants, steps(series), flows


def steps(series):
    """The samples of each counter series (in the order reported) that
    change its value, as a multiset of (process, series, time, value)."""
    out = collections.Counter()
    for (p, name), samples in series.items():
        last = None
        for ts, v in samples:
            # Counts past 2^53 (cmd/trace's wrapped unsigned ones) are
            # doubles in the Perfetto output.
            v = int(v) if v == int(v) and abs(v) < 2 ** 53 else float(v)
            if last is not None and v == last:
                continue
            last = v
            out[(p, name, ts, v)] += 1
    return out


def decode(protoc, schema, path):
    """Runs protoc on the file and reads its output."""
    with open(path, "rb") as f:
        r = subprocess.run([protoc, "--decode=perfetto.protos.Trace", "-I", schema,
                            "perfetto_trace.proto"], stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    err = r.stderr.decode("utf-8", "replace").strip()
    if r.returncode != 0 or err:
        raise Bad("protoc --decode: exit %d: %s" % (r.returncode, err[:500]))
    pf = Perfetto()
    for i, p in enumerate(packets(r.stdout.decode("utf-8").splitlines())):
        pf.packet(i, p)
    return pf


# ---- the JSON ---------------------------------------------------------------

def ns(x):
    """Microseconds as the JSON writes them, read exactly, in ns."""
    return None if x is None else int(decimal.Decimal(x) * 1000)


class Json:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8", "replace"),
                              parse_float=decimal.Decimal, parse_int=int)
        self.frames = data.get("stackFrames") or {}
        self.cache = {}
        self.events = data.get("traceEvents", [])
        self.pnames, self.tnames = {}, {}
        for e in self.events:
            if e.get("ph") != "M":
                continue
            name = (e.get("args") or {}).get("name")
            if e.get("name") == "process_name":
                self.pnames[e.get("pid")] = name
            elif e.get("name") == "thread_name":
                self.tnames[(e.get("pid"), e.get("tid"))] = name

    def stack(self, sf):
        if sf is None:
            return None
        key = str(sf)
        if key not in self.cache:
            names, cur, seen = [], key, set()
            while cur is not None and cur not in seen:
                seen.add(cur)
                fr = self.frames.get(cur)
                if fr is None:
                    names.append("?frame %s" % cur)
                    break
                names.append(fr.get("name"))
                cur = None if fr.get("parent") is None else str(fr.get("parent"))
            self.cache[key] = tuple(names)
        return self.cache[key]

    def place(self, e):
        pid, tid = e.get("pid"), e.get("tid")
        t = self.tnames.get((pid, tid))
        return self.pnames.get(pid), t if t else str(tid)

    @staticmethod
    def args(e):
        a = e.get("args") or {}
        return tuple(sorted(((k, int(v) if isinstance(v, decimal.Decimal) else v)
                             for k, v in a.items()), key=repr))

    def timeline(self):
        slices, instants = collections.Counter(), collections.Counter()
        series = collections.defaultdict(list)
        starts, ends = {}, {}
        for e in self.events:
            ph = e.get("ph")
            if ph == "X":
                p, t = self.place(e)
                # A negative duration (wall clock, two generations' snapshots
                # disagreeing) is a zero-length slice in the Perfetto output.
                slices[(p, t, e.get("name"), e.get("cat"), ns(e.get("ts")),
                        max(0, ns(e.get("dur", 0))), self.args(e), self.stack(e.get("sf")),
                        self.stack(e.get("esf")))] += 1
            elif ph in ("I", "i"):
                p, t = self.place(e)
                instants[(p, t, e.get("name"), e.get("cat"), ns(e.get("ts")),
                          self.args(e), self.stack(e.get("sf")))] += 1
            elif ph == "C":
                p = self.pnames.get(e.get("pid"))
                for k, v in (e.get("args") or {}).items():
                    series[(p, "%s %s" % (e.get("name"), k))].append((ns(e.get("ts")), v))
            elif ph == "s":
                starts[e.get("id")] = e
            elif ph in ("t", "f"):
                ends[e.get("id")] = e
        flows = []
        for fid, s in starts.items():
            t = ends.get(fid)
            if t is not None:
                flows.append((self.place(s), ns(s.get("ts")), self.place(t), ns(t.get("ts")),
                              s.get("name")))
        return slices, instants, steps(series), flows


# ---- comparing ------------------------------------------------------------

def diff(kind, want, got, out):
    missing, extra = want - got, got - want
    if not missing and not extra:
        return
    out.append("%s: %d missing, %d unexpected (of %d in the JSON)" % (
        kind, sum(missing.values()), sum(extra.values()), sum(want.values())))
    for label, c in (("missing", missing), ("unexpected", extra)):
        for k, n in sorted(c.items(), key=repr)[:MAX_DIFFS]:
            out.append("  %s%s: %r" % (label, "" if n == 1 else " x%d" % n, k))


def match_flows(jflows, pflows, out):
    """Each JSON flow against a Perfetto flow between the same tracks,
    ending at the same time, whose source holds the JSON start's time."""
    if len(jflows) != len(pflows):
        out.append("flows: %d in the JSON, %d in the Perfetto output" % (len(jflows), len(pflows)))
    groups = collections.defaultdict(list)
    for f in pflows:
        fid, src, s_ts, s_end, s_kind, dst, d_ts, d_kind, d_f = f
        # An end with no slice is an instant named as the flow.
        d_name = d_f["name"] if d_kind == "instant" else None
        groups[(src, dst, d_ts)].append([s_ts, s_end, s_kind, fid, False, d_name])
    unmatched = []
    for f in sorted(jflows, key=lambda f: (f[1], repr(f))):
        src, s_ts, dst, d_ts, name = f
        best = None
        for cand in groups.get((src, dst, d_ts), []):
            if cand[4]:
                continue
            lo, hi, kind = cand[0], cand[1], cand[2]
            ok = (lo <= s_ts <= hi) if kind == "slice" else lo == s_ts
            ok = ok and cand[5] in (None, name)
            if ok and (best is None or hi < best[1]):
                best = cand
        if best is None:
            unmatched.append(f)
        else:
            best[4] = True
    if unmatched:
        out.append("flows: %d of the JSON's have no Perfetto flow" % len(unmatched))
        for f in unmatched[:MAX_DIFFS]:
            out.append("  missing: %r" % (f,))
    return groups


def compare(j, pf, wall):
    out = []
    try:
        p_slices, p_instants, p_counters, p_flows = pf.timeline(wall)
    except Bad as e:
        return [str(e)]
    j_slices, j_instants, j_counters, j_flows = j.timeline()
    diff("slices", j_slices, p_slices, out)
    # Instants: the JSON's, plus those standing for an unbound flow end.
    got = collections.Counter(k for k, _ in p_instants)
    extra = got - j_instants
    flow_instants = collections.Counter(k for k, f in p_instants if f["flows"] or f["ends"])
    diff("instants", j_instants, got - (extra & flow_instants), out)
    diff("counters", j_counters, p_counters, out)
    match_flows(j_flows, p_flows, out)
    return out


# ---- running ----------------------------------------------------------------

def run(gotrace, fmt, view, clock, trace, out):
    if os.path.exists(out):
        os.remove(out)
    cmd = [gotrace, "timeline", "--format=" + fmt, "--view=" + view, "--clock=" + clock,
           trace, "-o", out]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    err = r.stderr.decode("utf-8", "replace").strip()
    return r.returncode, err.splitlines()[-1] if err else ""


def find_schema(arg):
    if arg:
        return arg
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(os.path.dirname(root), "shared", "schemas")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gotrace", nargs="?")
    ap.add_argument("traces_dir", nargs="?")
    ap.add_argument("--view", action="append", choices=("proc", "thread", "goroutine"))
    ap.add_argument("--clock", action="append", choices=("trace", "wall"))
    ap.add_argument("--trace", action="append", default=[], metavar="FILE")
    ap.add_argument("--truncated", action="store_true",
                    help="also the damaged traces of TRACES_DIR/truncated")
    ap.add_argument("--synthetic", action="store_true",
                    help="also the hand-made traces of TRACES_DIR/synthetic")
    ap.add_argument("--schema", help="the directory of Perfetto's perfetto_trace.proto")
    ap.add_argument("--decode", metavar="FILE", help="check one Perfetto file, print a summary")
    a = ap.parse_args()

    protoc = shutil.which("protoc")
    schema = find_schema(a.schema)
    if protoc is None or not os.path.exists(os.path.join(schema, "perfetto_trace.proto")):
        print("skipped: needs protoc and Perfetto's schema at %s/perfetto_trace.proto"
              % schema)
        return SKIP

    if a.decode:
        try:
            pf = decode(protoc, schema, a.decode)
            s, i, c, f = pf.timeline(pf.snapshot is not None)
        except Bad as e:
            print("FAIL %s: %s" % (a.decode, e))
            return 1
        print("%d packets, %d tracks, %d slices, %d instants, %d counter samples, %d flows"
              % (pf.packets, len(pf.tracks), sum(s.values()), len(i), sum(c.values()), len(f)))
        return 0
    if a.gotrace is None or a.traces_dir is None:
        ap.error("GOTRACE and TRACES_DIR are needed")

    files = a.trace or sorted(glob.glob(os.path.join(a.traces_dir, "go1.*", "*.trace")))
    if a.truncated and not a.trace:
        files += sorted(glob.glob(os.path.join(a.traces_dir, "truncated", "*.trace")))
    if a.synthetic and not a.trace:
        files += sorted(glob.glob(os.path.join(a.traces_dir, "synthetic", "*.trace")))
    views = a.view or ["proc", "thread"]
    clocks = a.clock or ["trace", "wall"]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        jpath = os.path.join(tmp, "timeline.json")
        ppath = os.path.join(tmp, "timeline.pftrace")
        for f in files:
            rel = os.path.relpath(f, a.traces_dir)
            for view in views:
                for clock in clocks:
                    what = "%s (%s view, %s clock)" % (rel, view, clock)
                    jrc, jerr = run(a.gotrace, "json", view, clock, f, jpath)
                    prc, perr = run(a.gotrace, "perfetto", view, clock, f, ppath)
                    if jrc is None or prc is None:
                        print("FAIL %s: gotrace timed out" % what)
                        failed += 1
                        continue
                    if jrc != prc:
                        print("FAIL %s: json exited %d (%s), perfetto %d (%s)"
                              % (what, jrc, jerr, prc, perr))
                        failed += 1
                        continue
                    if jrc not in (0, 1):
                        print("FAIL %s: gotrace exited %d: %s" % (what, jrc, jerr))
                        failed += 1
                        continue
                    jhas, phas = os.path.exists(jpath), os.path.exists(ppath)
                    if not jhas and not phas:
                        passed += 1   # both refused the trace (no snapshots, ...)
                        continue
                    try:
                        j = Json(jpath)
                        pf = decode(protoc, schema, ppath)
                        diffs = compare(j, pf, clock == "wall")
                    except (OSError, ValueError) as e:
                        diffs = ["cannot read an output: %s" % e]
                    except Bad as e:
                        diffs = [str(e)]
                    if diffs:
                        print("FAIL %s" % what)
                        for line in diffs:
                            print("   " + line)
                        failed += 1
                    else:
                        passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
