"""Go execution traces, read by libgotrace."""
from . import _gotrace  # noqa: F401
