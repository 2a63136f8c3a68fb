"""Shared parsing of numeric text tables, with errors that name file and line.

Every dataset skgait reads stores its samples as delimited numbers, one row
per line, after some header lines. :func:`read_numeric_table` reads such a
file with pandas' C parser (``pandas.read_csv``, configured from the
format's delimiters) and checks what pandas does not: every row has the
expected number of fields, every field is a number, rows end with their
terminator. Anything unusual (a NaN, a short row, a stray character) sends
the file through a line-by-line reader that raises
:class:`~skgait.exceptions.DataFormatError` naming the file, the line and what
was wrong (column count, non-numeric field, missing row terminator,
truncated last line), or returns the same table where the file is valid.
``benchmarks/bench_datasets.py`` measured this against the hand-written
numba tokenizer it replaces, which was not enough faster to justify its
code (figures on the datasets page of the user guide, "Parse time").

A file cut inside its last field still has a full last row of numbers. Two
things tell: a format whose rows end with a terminator (SisFall's ``;``) has
none after the cut, and a cut file has no final newline. The first is an
error; the second drops the unfinished last row with a warning, since a
complete file written without a final newline cannot be told apart from a cut
one (the loaders check the files a download registry lists against its size
and SHA-256, which settles it).
"""

import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataFormatError

__all__ = ["read_numeric_table", "read_text_lines"]

#: pandas 2 rounds long decimals with its own fast strtod unless asked for
#: the correctly rounded one (pandas 3 always rounds correctly).
_EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def _header_offset(data, skip_lines, path):
    offset = 0
    for _ in range(skip_lines):
        nl = data.find(b"\n", offset)
        if nl < 0:
            raise DataFormatError(
                f"{path}: file ends within its {skip_lines} header lines; it is empty or truncated."
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
    body = data[offset:]
    table = _read_with_pandas(body, n_columns, delimiters, comment, terminator)
    if table is None:
        table = _read_checked(path, body, skip_lines, n_columns, delimiters, comment, terminator)
    if terminator is None and len(table) and _unfinished_last_line(body, delimiters, comment):
        table = table[:-1]
        last_line = skip_lines + body.count(b"\n") + 1
        warnings.warn(
            f"{path}: the file does not end with a newline, so its last line "
            f"({last_line}) may be cut inside its last field; that row was "
            "dropped. The file looks truncated: check it against its source (a file "
            "that is complete needs a final newline).",
            UserWarning,
            stacklevel=2,
        )
    if len(table) == 0:
        raise DataFormatError(f"{path}: no data rows after {skip_lines} header lines.")
    return table.astype(dtype, copy=False)


def _pandas_options(delimiters, comment, terminator):
    """``pandas.read_csv`` options that read the format, or None if it cannot.

    Fields separated by runs of white space map to ``sep=r"\\s+"``; a single
    other delimiter (white space around it allowed) to ``sep=<it>``; a row
    terminator, only where there is no comment character, to pandas'
    ``comment`` (the rest of the line is ignored, so the caller checks that
    every row has exactly one terminator, at its end).
    """
    marks = {c for c in delimiters if not c.isspace()}
    if terminator is not None:
        if comment is not None or marks - {terminator} == set() or len(marks - {terminator}) > 1:
            return None
        (sep,) = marks - {terminator}
        return {"sep": sep, "comment": terminator}
    if len(marks) > 1:
        return None
    return {"sep": marks.pop() if marks else r"\s+", "comment": comment}


def _read_with_pandas(body, n_columns, delimiters, comment, terminator):
    """The table read by pandas' C parser, or None when any row needs a closer look."""
    options = _pandas_options(delimiters, comment, terminator)
    if options is None:
        return None
    if terminator is not None:
        # every terminator at a line end (pandas drops the rest of the line)
        t = terminator.encode()
        at_ends = body.count(t + b"\r\n") + body.count(t + b"\n") + body.endswith(t)
        if body.count(t) != at_ends:
            return None
    if comment is not None:
        # pandas also cuts a line at a comment character inside it
        c = re.escape(comment.encode())
        if body.count(comment.encode()) != len(re.findall(rb"(?m)^[ \t]*" + c, body)):
            return None
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            header=None,
            names=range(n_columns + 1),
            dtype=np.float64,
            engine="c",
            skip_blank_lines=True,
            **options,
            **_EXACT,
        )
    except (ValueError, pd.errors.ParserError):
        return None
    table = frame.to_numpy()
    if terminator is not None and len(table) != at_ends:
        return None  # a row without its terminator
    # column n_columns: empty after a trailing delimiter, else a row is too long;
    # NaN among the others: a short row or an empty field (or "nan", re-read)
    if not np.isnan(table[:, n_columns]).all() or np.isnan(table[:, :n_columns]).any():
        return None
    return np.ascontiguousarray(table[:, :n_columns])


def _read_checked(path, body, skip_lines, n_columns, delimiters, comment, terminator):
    """Read line by line; raise naming the first malformed line."""
    separators = delimiters + (terminator or "")
    split = re.compile("[" + re.escape(separators + "\r") + "]+")
    lines = body.decode("latin-1").split("\n")
    content = [line.strip(separators + "\r") for line in lines]
    is_data = [bool(c) and not (comment and c.startswith(comment)) for c in content]
    last = max((i for i, d in enumerate(is_data) if d), default=-1)
    rows = []
    for i, (line, text) in enumerate(zip(lines, content)):
        if not is_data[i]:
            continue
        where = f"{path}: line {skip_lines + i + 1}"
        hint = " (the last line: the file looks truncated)" if i == last else ""
        tokens = split.split(text)
        values = []
        for column, token in enumerate(tokens[:n_columns]):
            try:
                values.append(float(token))
            except ValueError:
                raise DataFormatError(
                    f"{where}, column {column + 1} is not a number: {line.strip()[:120]!r}{hint}."
                ) from None
        if len(tokens) != n_columns:
            raise DataFormatError(f"{where} has {len(tokens)} columns, expected {n_columns}{hint}.")
        if terminator is not None and not line.rstrip(" \t\r").endswith(terminator):
            raise DataFormatError(f"{where} does not end with {terminator!r}{hint}.")
        rows.append(values)
    return np.array(rows, dtype=np.float64).reshape(len(rows), n_columns)


def _unfinished_last_line(body, delimiters, comment):
    """Whether the data end in a data line with no newline after it."""
    if body.endswith(b"\n"):
        return False
    last = body[body.rfind(b"\n") + 1 :].decode("latin-1").strip(delimiters + "\r")
    return bool(last) and not (comment and last.startswith(comment))
