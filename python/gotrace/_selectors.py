"""The generation-range selectors (gen=, from_=, to=), as the CLI's
--gen, --from and --to take them (docs/api.md "Generation ranges").

range_spec() checks and normalizes them for the extension, which seeks the
reader with them: None, ("gen", A or None, B or None), or
("time", (clock, ns) or None, (clock, ns) or None) with clock one of
CLOCK_TRACE, CLOCK_START, CLOCK_WALL (gotrace_clock_kind).
"""

import datetime
import re

CLOCK_TRACE = 0
CLOCK_START = 1
CLOCK_WALL = 2

_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1

# Go's units (time.ParseDuration), as the CLI takes them.
_UNITS = {
    "ns": 1,
    "us": 1000,
    "\u00b5s": 1000,
    "\u03bcs": 1000,
    "ms": 1000000,
    "s": 1000000000,
    "m": 60000000000,
    "h": 3600000000000,
}
_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)?")
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))\Z")


def _bad(name, value, why):
    return ValueError("invalid %s %r: %s" % (name, value, why))


def parse_duration(text, name="duration"):
    """Nanoseconds of a Go duration without a sign ("1.5s", "2m3s",
    "250ms", a plain number of ns), as the CLI's cli_parse_duration."""
    if text == "":
        raise _bad(name, text, "empty")
    if text.startswith("-"):
        raise _bad(name, text, "must not be negative")
    if text.isdigit() and text.isascii():
        v = int(text)
        if v > _INT64_MAX:
            raise _bad(name, text, "too large")
        return v
    total = 0
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if whole == "" and not frac:
            raise _bad(name, text, "not a duration (e.g. 10ms, 1.5s, 100us)")
        if unit is None:
            raise _bad(name, text,
                       "missing unit (ns, us, ms, s, m, h)" if m.end() == len(text)
                       else "unknown unit (ns, us, ms, s, m, h)")
        scale = _UNITS[unit]
        v = int(whole or "0") * scale
        if frac:
            # Like Go, digits past int64 precision are dropped.
            frac = frac[:18]
            v += int(frac) * scale // 10 ** len(frac)
        total += v
        if total > _INT64_MAX:
            raise _bad(name, text, "too large")
        pos = m.end()
    return total


def _parse_rfc3339(name, text):
    m = _RFC3339.match(text)
    if m is None:
        raise _bad(name, text,
                   "not an RFC 3339 time (e.g. 2026-12-03T10:15:00.5Z)")
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    frac = (m.group(7) or "")[:9].ljust(9, "0")
    try:
        base = datetime.datetime(y, mo, d, h, mi, s,
                                 tzinfo=datetime.timezone.utc)
    except ValueError:
        raise _bad(name, text, "no such date or time") from None
    offset = 0
    if m.group(9) is not None:
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            raise _bad(name, text, "bad zone offset (Z, +HH:MM or -HH:MM)")
        offset = (oh * 3600 + om * 60) * (-1 if m.group(9) == "-" else 1)
    secs = _unix_seconds(base) - offset
    return secs * 1000000000 + int(frac)


def _unix_seconds(dt):
    delta = dt - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return delta.days * 86400 + delta.seconds


def parse_time(value, name):
    """(clock, ns) for a from_/to selector."""
    if isinstance(value, bool):
        raise TypeError("%s must be a time, not bool" % name)
    if isinstance(value, int):
        if value < 0:
            raise _bad(name, value, "must not be negative")
        if value > _INT64_MAX:
            raise _bad(name, value, "too large")
        return (CLOCK_START, value)
    if isinstance(value, datetime.timedelta):
        ns = (value.days * 86400 + value.seconds) * 1000000000 + \
            value.microseconds * 1000
        if ns < 0:
            raise _bad(name, value, "must not be negative")
        return (CLOCK_START, ns)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _bad(name, value, "a wall-clock time needs a time zone")
        utc = value.astimezone(datetime.timezone.utc)
        return (CLOCK_WALL, _unix_seconds(utc) * 1000000000 +
                utc.microsecond * 1000)
    if isinstance(value, str):
        if value.startswith("@"):
            digits = value[1:]
            if digits == "":
                raise _bad(name, value, "empty")
            if not (digits.isdigit() and digits.isascii()):
                raise _bad(name, value, "not a number")
            if int(digits) > _INT64_MAX:
                raise _bad(name, value, "too large")
            return (CLOCK_TRACE, int(digits))
        if len(value) >= 5 and value[:4].isdigit() and value[4] == "-":
            return (CLOCK_WALL, _parse_rfc3339(name, value))
        try:
            return (CLOCK_START, parse_duration(value, name))
        except ValueError as e:
            if "not a duration" in str(e):
                raise _bad(name, value,
                           "not a time: a duration since the start (1.5s), "
                           "@NS on the trace clock, or an RFC 3339 time "
                           "(2026-12-03T10:15:00Z)") from None
            raise
    raise TypeError("%s must be an int (ns since the start), a timedelta, a "
                    "datetime or a string, not %s" % (name, type(value).__name__))


def _generation(value, text):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("generation numbers are ints, not %s"
                        % type(value).__name__)
    if value < 1:
        raise _bad("gen", text, "must be positive")
    if value > _UINT64_MAX:
        raise _bad("gen", text, "too large")
    return value


def _gen_number(s, text):
    if not (s.isdigit() and s.isascii()):
        raise _bad("gen", text, "must not be negative" if s.startswith("-")
                   else "not a number")
    return _generation(int(s), text)


def parse_gen(gen):
    """(A or None, B or None) for a gen selector."""
    if isinstance(gen, str):
        if gen == "":
            raise _bad("gen", gen, "empty")
        if gen.count(":") > 1:
            raise _bad("gen", gen, "more than one ':' (A:B, A:, :B or A)")
        if gen == ":":
            raise _bad("gen", gen, "neither A nor B given (A:B, A:, :B or A)")
        if ":" not in gen:
            a = _gen_number(gen, gen)
            return (a, a)
        sa, sb = gen.split(":")
        a = _gen_number(sa, gen) if sa else None
        b = _gen_number(sb, gen) if sb else None
    elif isinstance(gen, tuple) or isinstance(gen, list):
        if len(gen) != 2:
            raise ValueError("gen as a tuple is (A, B), A or B None for an "
                             "open end")
        a = None if gen[0] is None else _generation(gen[0], gen)
        b = None if gen[1] is None else _generation(gen[1], gen)
        if a is None and b is None:
            raise _bad("gen", gen, "neither A nor B given (A:B, A:, :B or A)")
    elif isinstance(gen, int) and not isinstance(gen, bool):
        a = b = _generation(gen, gen)
    else:
        raise TypeError("gen must be (A, B), an int or 'A:B', not %s"
                        % type(gen).__name__)
    if a is not None and b is not None and a > b:
        raise _bad("gen", gen, "A is after B")
    return (a, b)


def range_spec(gen, from_, to):
    """The extension's form of the selectors (see the module's doc)."""
    if gen is not None and (from_ is not None or to is not None):
        raise ValueError("gen and from_/to exclude each other")
    if gen is not None:
        a, b = parse_gen(gen)
        return ("gen", a, b)
    if from_ is None and to is None:
        return None
    return ("time",
            None if from_ is None else parse_time(from_, "from_"),
            None if to is None else parse_time(to, "to"))


_CLOCKS = {"trace": CLOCK_TRACE, "start": CLOCK_START, "wall": CLOCK_WALL}


def seek_spec(t, clock):
    """(clock, ns) for Reader.seek_time(t, clock)."""
    if clock is None:
        return parse_time(t, "t")
    if clock not in _CLOCKS:
        raise ValueError("clock must be 'trace', 'start' or 'wall', not %r"
                         % (clock,))
    if isinstance(t, bool) or not isinstance(t, int):
        raise TypeError("with clock=, t is an int of nanoseconds, not %s"
                        % type(t).__name__)
    if not -(1 << 63) <= t < (1 << 63):
        raise ValueError("t out of range")
    return (_CLOCKS[clock], t)
