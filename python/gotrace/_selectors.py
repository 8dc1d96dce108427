"""The generation-range selectors (gen=, from_=, to=), as the CLI's
--gen, --from and --to take them (docs/api.md "Generation ranges").

Their textual forms ("2:4", "1.5s", "@NS", RFC 3339) are parsed by the
library's parsers, the ones the CLI uses (gotrace_range_parse_generations,
gotrace_range_parse_time, gotrace_parse_duration), so both accept the same
text and give the same reasons. range_spec() checks and normalizes the
selectors for the extension, which seeks the reader with them
(gotrace_reader_select): None, ("gen", A or None, B or None), or
("time", (clock, ns) or None, (clock, ns) or None) with clock one of
CLOCK_TRACE, CLOCK_START, CLOCK_WALL (gotrace_clock_kind).
"""

import datetime

CLOCK_TRACE = 0
CLOCK_START = 1
CLOCK_WALL = 2

_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


def _bad(name, value, why):
    return ValueError("invalid %s %r: %s" % (name, value, why))


def _parser(fn, name, text):
    """fn(text) of the extension's parsers, its reason in our message."""
    from . import _gotrace
    try:
        return getattr(_gotrace, fn)(text)
    except ValueError as e:
        raise _bad(name, text, str(e)) from None


def parse_duration(text, name="duration"):
    """Nanoseconds of a Go duration without a sign ("1.5s", "2m3s",
    "250ms", a plain number of ns), as the CLI parses them."""
    return _parser("_parse_duration", name, text)


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
        return _parser("_parse_time", name, value)
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


def parse_gen(gen):
    """(A or None, B or None) for a gen selector."""
    if isinstance(gen, str):
        a, b = _parser("_parse_generations", "gen", gen)
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
