"""Go's trace.Event.String(): an Event as `go tool trace -d=parsed` prints
it, built from the Event's attributes. Event.__bytes__ and Event.__str__
(the C type in reader.c) call event_bytes.

Written from Go's formatting rules (internal/trace/event.go's String,
strconv.Quote, time.Time.Format(RFC3339Nano)); the tests compare it with
Go's own output on the same traces.
"""

NO_TASK = (1 << 64) - 1
# time.Time dates an instant by its seconds since year -292277022399,
# held in a uint64: earlier instants wrap around.
_UNIX_TO_ABSOLUTE = 9223372028741760000


def raw(s):
    """The bytes of a trace string (decoded with surrogateescape)."""
    return s.encode("utf-8", "surrogateescape")


def _rune(b, i):
    """(rune, size) of the UTF-8 sequence at b[i], or (None, 1)."""
    c = b[i]
    if c < 0x80:
        return c, 1
    n = 2 if c >> 5 == 0b110 else 3 if c >> 4 == 0b1110 else \
        4 if c >> 3 == 0b11110 else 0
    if n and i + n <= len(b):
        try:
            s = b[i:i + n].decode("utf-8")
        except UnicodeDecodeError:
            return None, 1
        return ord(s), n
    return None, 1


def go_quote(b):
    """strconv.Quote of the bytes b, as bytes."""
    out = bytearray(b'"')
    i = 0
    while i < len(b):
        r, size = _rune(b, i)
        if r is None:
            out += b"\\x%02x" % b[i]
        elif r in (0x22, 0x5C):
            out += b"\\" + bytes([r])
        elif chr(r).isprintable():
            out += b[i:i + size]
        elif r in _ESCAPES:
            out += _ESCAPES[r]
        elif r < 0x20 or r == 0x7F:
            out += b"\\x%02x" % r
        elif r < 0x10000:
            out += b"\\u%04x" % r
        else:
            out += b"\\U%08x" % r
        i += size
    out += b'"'
    return bytes(out)


_ESCAPES = {7: b"\\a", 8: b"\\b", 12: b"\\f", 10: b"\\n", 13: b"\\r",
            9: b"\\t", 11: b"\\v"}


def _civil(days):
    """(year, month, day) of days since 1970-01-01 (proleptic Gregorian)."""
    z = days + 719468
    era = z // 146097  # floor division: no adjustment for z < 0
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def go_wall(sec, nsec):
    """time.Unix(sec, nsec).UTC().Format(RFC3339Nano), as bytes."""
    absolute = (sec + _UNIX_TO_ABSOLUTE) % (1 << 64)
    days = absolute // 86400 - _UNIX_TO_ABSOLUTE // 86400
    rem = absolute % 86400
    y, m, d = _civil(days)
    text = "%s%04d-%02d-%02dT%02d:%02d:%02d" % (
        "-" if y < 0 else "", abs(y), m, d, rem // 3600, rem // 60 % 60,
        rem % 60)
    if nsec:
        text += "." + ("%09d" % nsec).rstrip("0")
    return (text + "Z").encode()


def _stack(frames):
    out = b""
    for f in frames:
        out += b"\t%s @ 0x%x\n\t\t%s:%d\n" % (raw(f.function), f.pc,
                                              raw(f.file), f.line)
    return out


def _resource(kind, ident):
    if kind is None:
        return b"None"
    return b"%s(%d)" % (kind.encode(), ident)


def _value(v):
    return b"Value{Uint64(%d)}" % v


def _task(t):
    return NO_TASK if t is None else t


def event_bytes(ev):
    """The event as Go's Event.String() gives it (bytes, no newline)."""
    if ev.kind == "Sync" and ev.unnamed_experiment:
        raise ValueError("Go's Event.String() panics on this event: a Sync "
                         "listing an experiment Go does not name")
    out = b"M=%d P=%d G=%d %s Time=%d" % (ev.thread, ev.proc, ev.goroutine,
                                           ev.kind.encode(), ev.time)
    k = ev.kind
    if k == "Metric":
        out += b" Name=" + go_quote(raw(ev.name)) + b" Value=" + \
            _value(ev.value)
    elif k == "Label":
        out += b" Label=" + go_quote(raw(ev.label)) + b" Resource=" + \
            _resource(ev.resource, ev.id)
    elif k in ("RangeBegin", "RangeActive", "RangeEnd"):
        out += b" Name=" + go_quote(raw(ev.name)) + b" Scope=" + \
            _resource(ev.scope, ev.scope_id)
        if k == "RangeEnd":
            out += b" Attributes=[" + b" ".join(
                go_quote(raw(n)) + b"=" + _value(v)
                for n, v in ev.attrs.items()) + b"]"
    elif k in ("TaskBegin", "TaskEnd"):
        out += b" ID=%d Parent=%d Type=" % (_task(ev.task), _task(ev.parent))
        out += go_quote(raw(ev.type))
    elif k in ("RegionBegin", "RegionEnd"):
        out += b" Task=%d Type=" % _task(ev.task) + go_quote(raw(ev.type))
    elif k == "Log":
        out += b" Task=%d Category=" % _task(ev.task) + \
            go_quote(raw(ev.category)) + b" Message=" + \
            go_quote(raw(ev.message))
    elif k == "StateTransition":
        out += b" %s=%d %s->%s Reason=" % (
            b"GoID" if ev.resource == "Goroutine" else b"ProcID", ev.id,
            ev.from_state.encode(), ev.to_state.encode())
        out += go_quote(raw(ev.reason))
        if ev.transition_stack is not None:
            out += b"\nTransitionStack=\n" + _stack(ev.transition_stack)
    elif k == "Experimental":
        out += b" Name=" + raw(ev.name) + b" Args=[" + b", ".join(
            raw(n) + b"=" + _value(v) for n, v in ev.args.items()) + b"]"
    elif k == "Sync":
        out += b" N=%d" % ev.n
        c = ev.clock
        if c is not None:
            out += b" Trace=%d Mono=%d Wall=" % (c.trace_ns, c.mono_ns) + \
                go_wall(c.wall_sec, c.wall_nsec)
    if ev.stack is not None:
        out += b"\nStack=\n" + _stack(ev.stack)
    return out
