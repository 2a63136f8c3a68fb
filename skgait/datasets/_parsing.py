"""Shared parsing of numeric text tables, with errors that name file and line.

Every dataset skgait reads stores its samples as delimited numbers, one row
per line, after some header lines. :func:`read_numeric_table` parses such a
file with a compiled tokenizer (one pass, no intermediate strings) and, on a
malformed row, raises :class:`~skgait.datasets.DataFormatError` naming the
file, the line and what was wrong (column count, non-numeric field, truncated
last line).
"""

import re
from pathlib import Path

import numpy as np
from numba import njit

from ._base import DataFormatError

__all__ = ["read_numeric_table", "read_text_lines"]

_OK, _BAD_TOKEN, _BAD_COUNT = 0, 1, 2
# Exact powers of ten up to 1e22: dividing an integer mantissa below 2**53 by
# one of these is correctly rounded (the classic fast path of strtod).
_POW10 = np.array([10.0**k for k in range(23)])


@njit(cache=True, nogil=True)
def _is_space(c, delims):
    return c == 13 or delims[c]


@njit(cache=True, nogil=True)
def _parse_number(buf, i, end, pow10):
    """Parse one number starting at ``buf[i]``; return (value, next index, ok)."""
    neg = False
    if buf[i] == 45 or buf[i] == 43:  # '-' or '+'
        neg = buf[i] == 45
        i += 1
    # nan / inf, any case
    if i < end and (buf[i] | 32) == 110:  # "n"
        if i + 2 < end and (buf[i + 1] | 32) == 97 and (buf[i + 2] | 32) == 110:
            return np.nan, i + 3, True, True
        return 0.0, i, False, True
    if i < end and (buf[i] | 32) == 105:  # 'i'
        if i + 2 < end and (buf[i + 1] | 32) == 110 and (buf[i + 2] | 32) == 102:
            return (-np.inf if neg else np.inf), i + 3, True, True
        return 0.0, i, False, True
    mantissa = 0
    n_digits = 0
    scale = 0
    while i < end and 48 <= buf[i] <= 57:
        if n_digits < 18:
            mantissa = mantissa * 10 + (buf[i] - 48)
            n_digits += 1
        else:
            scale += 1
        i += 1
    if i < end and buf[i] == 46:  # '.'
        i += 1
        while i < end and 48 <= buf[i] <= 57:
            if n_digits < 18:
                mantissa = mantissa * 10 + (buf[i] - 48)
                n_digits += 1
                scale -= 1
            i += 1
    if n_digits == 0:
        return 0.0, i, False, True
    if i < end and (buf[i] | 32) == 101:  # 'e'
        i += 1
        exp_neg = False
        if i < end and (buf[i] == 45 or buf[i] == 43):
            exp_neg = buf[i] == 45
            i += 1
        exp = 0
        n_exp = 0
        while i < end and 48 <= buf[i] <= 57:
            exp = exp * 10 + (buf[i] - 48)
            n_exp += 1
            i += 1
        if n_exp == 0:
            return 0.0, i, False, True
        scale += -exp if exp_neg else exp
    # Exact (correctly rounded) only for mantissa < 2**53 and |scale| <= 22;
    # otherwise the caller re-reads the file with Python's float().
    exact = mantissa < 9007199254740992 and -22 <= scale <= 22
    value = float(mantissa)
    if exact and scale < 0:
        value = value / pow10[-scale]
    elif exact and scale > 0:
        value = value * pow10[scale]
    return (-value if neg else value), i, True, exact


@njit(cache=True, nogil=True)
def _parse_table(buf, start, delims, comment, n_columns, out, pow10):
    """Fill ``out`` row by row; return (n_rows, status, bad line, n found, n inexact)."""
    end = buf.shape[0]
    i = start
    row = 0
    line = 0
    inexact = 0
    while i < end:
        line += 1
        # skip leading delimiters
        while i < end and buf[i] != 10 and _is_space(buf[i], delims):
            i += 1
        if i >= end:
            break
        if buf[i] == 10:
            i += 1
            continue
        if comment >= 0 and buf[i] == comment:
            while i < end and buf[i] != 10:
                i += 1
            i += 1
            continue
        col = 0
        while i < end and buf[i] != 10:
            value, j, ok, exact = _parse_number(buf, i, end, pow10)
            if not ok or (j < end and buf[j] != 10 and not _is_space(buf[j], delims)):
                return row, _BAD_TOKEN, line, col, inexact
            inexact += not exact
            if col < n_columns and row < out.shape[0]:
                out[row, col] = value
            col += 1
            i = j
            while i < end and buf[i] != 10 and _is_space(buf[i], delims):
                i += 1
        i += 1
        if col != n_columns:
            return row, _BAD_COUNT, line, col, inexact
        row += 1
    return row, _OK, line, 0, inexact


def _delimiter_table(delimiters):
    table = np.zeros(256, dtype=np.bool_)
    for ch in delimiters:
        table[ord(ch)] = True
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
    dtype : dtype, default=np.float64
        Output dtype. ``nan``/``NaN`` fields become NaN.

    Returns
    -------
    table : ndarray of shape (n_rows, n_columns)

    Raises
    ------
    DataFormatError
        If a row has another number of fields (the message says whether the
        last line looks truncated), a field is not a number, or the file has
        no data rows.
    """
    path = Path(path)
    data = path.read_bytes()
    offset = _header_offset(data, skip_lines, path)
    buf = np.frombuffer(data, dtype=np.uint8)
    max_rows = data.count(b"\n", offset) + 1
    out = np.empty((max_rows, n_columns), dtype=dtype)
    comment_byte = ord(comment) if comment else -1
    n_rows, status, line, found, inexact = _parse_table(
        buf, offset, _delimiter_table(delimiters), comment_byte, n_columns, out, _POW10
    )
    line_no = skip_lines + line
    last = data.rstrip(b"\r\n ").count(b"\n", offset) + 1 == line
    hint = " (the last line: the file looks truncated)" if last else ""
    if status == _BAD_COUNT:
        raise DataFormatError(
            f"{path}: line {line_no} has {found} columns, expected {n_columns}{hint}."
        )
    if status == _BAD_TOKEN:
        text = data.split(b"\n", line_no)[line_no - 1].decode("latin-1").strip()
        raise DataFormatError(
            f"{path}: line {line_no}, column {found + 1} is not a number: "
            f"{text[:120]!r}{hint}."
        )
    if n_rows == 0:
        raise DataFormatError(f"{path}: no data rows after {skip_lines} header lines.")
    if inexact:
        _parse_exactly(data[offset:], delimiters, comment, out[:n_rows])
    return out[:n_rows]


def _parse_exactly(body, delimiters, comment, out):
    """Re-read already validated rows with Python's correctly rounded float()."""
    split = re.compile("[" + re.escape(delimiters + "\r") + "]+")
    row = 0
    for line in body.decode("latin-1").split("\n"):
        stripped = line.strip(delimiters + "\r")
        if not stripped or (comment and stripped.startswith(comment)):
            continue
        out[row] = [float(token) for token in split.split(stripped)]
        row += 1
