"""Shared parsing of numeric text tables, with errors that name file and line.

Every dataset skgait reads stores its samples as delimited numbers, one row
per line, after some header lines. :func:`read_numeric_table` parses such a
file with a compiled tokenizer (one pass, no intermediate strings) and, on a
malformed row, raises :class:`~skgait.datasets.DataFormatError` naming the
file, the line and what was wrong (column count, non-numeric field, missing
row terminator, truncated last line).

A file cut inside its last field still has a full last row of numbers. Two
things tell: a format whose rows end with a terminator (SisFall's ``;``) has
none after the cut, and a cut file has no final newline. The first is an
error; the second drops the unfinished last row with a warning, since a
complete file written without a final newline cannot be told apart from a cut
one (the loaders check the files a download registry lists against its size
and SHA-256, which settles it).
"""

import re
import warnings
from pathlib import Path

import numpy as np
from numba import njit

from ._base import DataFormatError

__all__ = ["read_numeric_table", "read_text_lines"]

_OK, _BAD_TOKEN, _BAD_COUNT, _NO_TERMINATOR = 0, 1, 2, 3
# Exact powers of ten up to 1e22: dividing an integer mantissa below 2**53 by
# one of these is correctly rounded (the classic fast path of strtod).
_POW10 = np.array([10.0**k for k in range(23)])
#: Tokens outside the fast path recorded for an exact re-parse; a file with
#: more is re-read whole with Python's float().
_MAX_FIXES = 4096
_DIGITS = np.full(256, -1, dtype=np.int64)
_DIGITS[48:58] = np.arange(10)


@njit(cache=True, nogil=True)
def _parse_table(buf, start, delims, digits, comment, terminator, n_columns, out, pow10,
                 fixes):
    """Fill ``out`` row by row in one pass over the bytes.

    ``buf`` must end with a newline (a sentinel: inner loops stop on it
    without bounds checks); ``digits`` maps a byte to its digit or -1;
    ``terminator`` (or -1) is the byte that must follow a row's last field.

    Returns ``(n_rows, status, bad line, n fields found, n inexact)``; the
    first ``min(n inexact, len(fixes))`` rows of ``fixes`` hold ``(row,
    column, token start, token end)`` of the numbers the fast path could not
    convert exactly.
    """
    end = buf.shape[0] - 1  # the sentinel newline
    i = start
    row = 0
    line = 0
    n_fix = 0
    while i < end:
        line += 1
        while i < end and delims[buf[i]]:
            i += 1
        if i >= end:
            break
        if buf[i] == 10:
            i += 1
            continue
        if buf[i] == comment:
            while i < end and buf[i] != 10:
                i += 1
            i += 1
            continue
        col = 0
        while True:
            token = i
            neg = False
            if buf[i] == 45 or buf[i] == 43:  # '-' or '+'
                neg = buf[i] == 45
                i += 1
            # Up to 18 significant digits go into the mantissa (leading zeros
            # are not significant); a non-zero digit beyond them is dropped
            # and sends the token to the exact path.
            mantissa = 0
            n_digits = 0
            n_significant = 0
            dropped = False
            scale = 0
            d = digits[buf[i]]
            while d >= 0 and n_significant < 18:
                mantissa = mantissa * 10 + d
                n_significant += mantissa > 0
                n_digits += 1
                i += 1
                d = digits[buf[i]]
            while d >= 0:  # integer digits beyond 18 only scale the value
                scale += 1
                dropped |= d != 0
                n_digits += 1
                i += 1
                d = digits[buf[i]]
            if buf[i] == 46:  # '.'
                i += 1
                d = digits[buf[i]]
                while d >= 0 and n_significant < 18:
                    mantissa = mantissa * 10 + d
                    n_significant += mantissa > 0
                    scale -= 1
                    n_digits += 1
                    i += 1
                    d = digits[buf[i]]
                while d >= 0:
                    dropped |= d != 0
                    n_digits += 1
                    i += 1
                    d = digits[buf[i]]
            if n_digits > 0 and (buf[i] | 32) == 101:  # exponent
                i += 1
                exp_neg = False
                if i < end and (buf[i] == 45 or buf[i] == 43):
                    exp_neg = buf[i] == 45
                    i += 1
                exp = 0
                n_exp = 0
                d = digits[buf[i]]
                while d >= 0:
                    if exp < 100000:
                        exp = exp * 10 + d
                    n_exp += 1
                    i += 1
                    d = digits[buf[i]]
                if n_exp == 0:
                    return row, _BAD_TOKEN, line, col, n_fix
                scale += -exp if exp_neg else exp
            if n_digits > 0:
                value = float(mantissa)
                if not dropped and mantissa < 9007199254740992 and -22 <= scale <= 22:
                    if scale < 0:
                        value = value / pow10[-scale]
                    elif scale > 0:
                        value = value * pow10[scale]
                else:
                    if n_fix < fixes.shape[0]:
                        fixes[n_fix, 0] = row
                        fixes[n_fix, 1] = col
                        fixes[n_fix, 2] = token
                        fixes[n_fix, 3] = i
                    n_fix += 1
            elif i + 2 < end and (buf[i] | 32) == 110 and (buf[i + 1] | 32) == 97 \
                    and (buf[i + 2] | 32) == 110:  # nan
                value = np.nan
                i += 3
            elif i + 2 < end and (buf[i] | 32) == 105 and (buf[i + 1] | 32) == 110 \
                    and (buf[i + 2] | 32) == 102:  # inf
                value = np.inf
                i += 3
            else:
                return row, _BAD_TOKEN, line, col, n_fix
            if buf[i] != 10 and not delims[buf[i]]:
                return row, _BAD_TOKEN, line, col, n_fix
            if col < n_columns:
                out[row, col] = -value if neg else value
            col += 1
            terminated = False
            while delims[buf[i]]:
                terminated |= buf[i] == terminator
                i += 1
            if buf[i] == 10:
                break
        i += 1
        if col != n_columns:
            return row, _BAD_COUNT, line, col, n_fix
        if terminator >= 0 and not terminated:
            return row, _NO_TERMINATOR, line, col, n_fix
        row += 1
    return row, _OK, line, 0, n_fix


def _delimiter_table(delimiters):
    """Bytes that separate fields: the delimiters and carriage return, never newline."""
    table = np.zeros(256, dtype=np.bool_)
    for ch in delimiters + "\r":
        table[ord(ch)] = True
    table[10] = False
    return table


def _header_offset(data, skip_lines, path):
    offset = 0
    for _ in range(skip_lines):
        nl = data.find(b"\n", offset)
        if nl < 0:
            raise DataFormatError(
                f"{path}: file ends within its {skip_lines} header lines; "
                "it is empty or truncated."
            )
        offset = nl + 1
    return offset


def read_text_lines(path, n_lines, encoding="latin-1"):
    """Return the first ``n_lines`` lines of a text file, without line ends."""
    lines = []
    with open(path, "rb") as fh:
        for _ in range(n_lines):
            raw = fh.readline()
            if not raw:
                break
            lines.append(raw.decode(encoding).rstrip("\r\n"))
    return lines


def read_numeric_table(
    path,
    n_columns,
    *,
    skip_lines=0,
    comment=None,
    delimiters=" \t,;",
    terminator=None,
    dtype=np.float64,
):
    """Read a delimited table of numbers into an array, checking every row.

    Parameters
    ----------
    path : str or Path
        Text file.
    n_columns : int
        Expected number of fields per data row.
    skip_lines : int, default=0
        Header lines to skip before the data.
    comment : str or None, default=None
        A line whose first non-blank character is this one is skipped.
    delimiters : str, default=" \\t,;"
        Characters that separate fields; runs of them count as one, and a
        trailing one (SisFall's ``;``) is allowed. Carriage returns (CRLF line
        ends) are always accepted. Blank lines are skipped.
    terminator : str or None, default=None
        A delimiter every data row must end with (SisFall's ``;``): a row
        without it (a file cut inside its last field) is an error.
    dtype : dtype, default=np.float64
        Output dtype. ``nan``/``NaN`` fields become NaN.

    Returns
    -------
    table : ndarray of shape (n_rows, n_columns)

    Raises
    ------
    DataFormatError
        If a row has another number of fields (the message says whether the
        last line looks truncated), a field is not a number, a row lacks the
        terminator, or the file has no data rows.

    Warns
    -----
    UserWarning
        If the file does not end with a newline and has no ``terminator``:
        its last row may be cut inside its last field and is dropped.
    """
    path = Path(path)
    data = path.read_bytes()
    offset = _header_offset(data, skip_lines, path)
    buf = np.empty(len(data) + 1, dtype=np.uint8)
    buf[:-1] = np.frombuffer(data, dtype=np.uint8)
    buf[-1] = 10  # sentinel
    max_rows = data.count(b"\n", offset) + 1
    out = np.empty((max_rows, n_columns), dtype=dtype)
    comment_byte = ord(comment) if comment else -1
    fixes = np.empty((_MAX_FIXES, 4), dtype=np.int64)
    terminator_byte = ord(terminator) if terminator else -1
    n_rows, status, line, found, inexact = _parse_table(
        buf, offset, _delimiter_table(delimiters + (terminator or "")), _DIGITS, comment_byte,
        terminator_byte, n_columns, out, _POW10, fixes,
    )
    if status != _OK:
        _raise_format_error(path, data, offset, skip_lines, line, status, found, n_columns,
                            terminator)
    if terminator is None and n_rows and _unfinished_last_line(data, offset, delimiters,
                                                               comment):
        n_rows -= 1
        warnings.warn(
            f"{path}: the file does not end with a newline, so its last line "
            f"({skip_lines + line}) may be cut inside its last field; that row was "
            "dropped. The file looks truncated: check it against its source (a file "
            "that is complete needs a final newline).",
            UserWarning,
            stacklevel=2,
        )
    if n_rows == 0:
        raise DataFormatError(f"{path}: no data rows after {skip_lines} header lines.")
    table = out[:n_rows]
    if inexact > _MAX_FIXES:
        _parse_exactly(data[offset:], delimiters, comment, table)
    for row, col, start, stop in fixes[:inexact]:
        if row < n_rows:
            table[row, col] = float(data[start:stop])
    return table


def _unfinished_last_line(data, offset, delimiters, comment):
    """Whether the data end in a data line with no newline after it."""
    if data.endswith(b"\n"):
        return False
    last = data[max(data.rfind(b"\n"), offset - 1) + 1:].decode("latin-1")
    last = last.strip(delimiters + "\r")
    return bool(last) and not (comment and last.startswith(comment))


def _raise_format_error(path, data, offset, skip_lines, line, status, found, n_columns,
                        terminator=None):
    line_no = skip_lines + line
    last = data.rstrip(b"\r\n ").count(b"\n", offset) + 1 == line
    hint = " (the last line: the file looks truncated)" if last else ""
    if status == _NO_TERMINATOR:
        raise DataFormatError(
            f"{path}: line {line_no} does not end with {terminator!r}{hint}."
        )
    if status == _BAD_COUNT:
        raise DataFormatError(
            f"{path}: line {line_no} has {found} columns, expected {n_columns}{hint}."
        )
    text = data.split(b"\n", line_no)[line_no - 1].decode("latin-1").strip()
    raise DataFormatError(
        f"{path}: line {line_no}, column {found + 1} is not a number: {text[:120]!r}{hint}."
    )

def _parse_exactly(body, delimiters, comment, out):
    """Re-read already validated rows with Python's correctly rounded float()."""
    split = re.compile("[" + re.escape(delimiters + "\r") + "]+")
    row = 0
    for line in body.decode("latin-1").split("\n"):
        stripped = line.strip(delimiters + "\r")
        if not stripped or (comment and stripped.startswith(comment)):
            continue
        if row == len(out):  # an unfinished last row, dropped
            break
        out[row] = [float(token) for token in split.split(stripped)]
        row += 1
