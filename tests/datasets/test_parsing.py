"""The shared table parser: numbers, delimiters, and errors that name the line."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skgait.datasets._parsing import read_numeric_table
from skgait.exceptions import DataFormatError


def _write(tmp_path, text, name="table.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_number_formats(tmp_path):
    path = _write(tmp_path, "1e3 -2.5E-2 nan\r\n\n  +3 .5 -inf;\r\n")
    table = read_numeric_table(path, 3)
    expected = np.array([[1e3, -2.5e-2, np.nan], [3, 0.5, -np.inf]])
    np.testing.assert_array_equal(table, expected)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=30)
)
def test_round_trip_of_repr(tmp_path_factory, values):
    path = _write(tmp_path_factory.mktemp("rt"), "".join(f"{v!r}\n" for v in values))
    table = read_numeric_table(path, 1)[:, 0]
    np.testing.assert_array_equal(table, values)  # correctly rounded, every path


def test_header_comments_and_trailing_delimiter(tmp_path):
    path = _write(tmp_path, "a b\nc d\n% comment\n1,2;\n  % another\n3,4;\n")
    table = read_numeric_table(path, 2, skip_lines=2, comment="%")
    np.testing.assert_array_equal(table, [[1, 2], [3, 4]])


def test_dtype_float32(tmp_path):
    table = read_numeric_table(_write(tmp_path, "1 2\n3 4\n"), 2, dtype=np.float32)
    assert table.dtype == np.float32


@pytest.mark.parametrize(
    "text, skip_lines, message",
    [
        pytest.param(
            "h\n1 2 3\n4 5 6\n7 8",
            1,
            r"line 4 has 2 columns, expected 3.*truncated",
            id="truncated-last-line",
        ),
        pytest.param(
            "1 2 3\n4 5 6 7\n8 9 10\n",
            0,
            r"table.txt: line 2 has 4 columns, expected 3\.$",
            id="wrong-column-count",
        ),
        pytest.param(
            "1 2 3\n4 x 6\n",
            0,
            r"line 2, column 2 is not a number: '4 x 6'",
            id="non-numeric-field",
        ),
        pytest.param("header\n\n", 1, "no data rows", id="no-data-rows"),
        pytest.param("a\nb\n", 4, "ends within its 4 header lines", id="shorter-than-header"),
        pytest.param(
            "1 2 3\n4 5 -",
            0,
            r"line 2, column 3 is not a number.*truncated",
            id="cut-inside-a-number",
        ),
    ],
)
def test_malformed_table_names_file_and_line(tmp_path, text, skip_lines, message):
    with pytest.raises(DataFormatError, match=message):
        read_numeric_table(_write(tmp_path, text), 3, skip_lines=skip_lines)


def test_unfinished_last_row_is_dropped_with_a_warning(tmp_path):
    # "7 8 9.25" cut to "7 8 9.2": the numbers are all there, the newline is not
    path = _write(tmp_path, "h\n1 2 3\n4 5 6\n7 8 9.2")
    with pytest.warns(
        UserWarning,
        match=r"table.txt: the file does not end with a newline.*"
        r"last line \(4\).*dropped",
    ):
        table = read_numeric_table(path, 3, skip_lines=1)
    np.testing.assert_array_equal(table, [[1, 2, 3], [4, 5, 6]])


def test_trailing_comment_or_blank_without_newline_is_complete(tmp_path, recwarn):
    for text in ("1 2\n3 4\n% end", "1 2\n3 4\n  "):
        table = read_numeric_table(_write(tmp_path, text), 2, comment="%")
        np.testing.assert_array_equal(table, [[1, 2], [3, 4]])
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("end", ["", "\r\n"])
def test_row_without_its_terminator_is_an_error(tmp_path, end):
    # SisFall rows end with ';': "-147;" cut to "-1" has none
    path = _write(tmp_path, "1,2,-147;\r\n3,4,-147;\r\n5,6,-1" + end)
    with pytest.raises(
        DataFormatError,
        match=r"line 3 does not end with ';' \(the last line: "
        r"the file looks truncated\)",
    ):
        read_numeric_table(path, 3, delimiters=",", terminator=";")


def test_terminated_rows_without_final_newline_are_complete(tmp_path, recwarn):
    path = _write(tmp_path, "1,2;\r\n3,4;")
    np.testing.assert_array_equal(
        read_numeric_table(path, 2, delimiters=",", terminator=";"), [[1, 2], [3, 4]]
    )
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_unfinished_last_row_with_inexact_numbers(tmp_path):
    # the exact re-parse of long numbers must skip the dropped row
    path = _write(tmp_path, "0.00015546398361005606\n-0.17158553004264832")
    with pytest.warns(UserWarning, match="does not end with a newline"):
        table = read_numeric_table(path, 1)
    assert table.shape == (1, 1) and table[0, 0] == float("0.00015546398361005606")


@pytest.mark.parametrize(
    "text",
    [
        "0.00015546398361005606",  # leading zeros are not significant digits
        "0.000000000000000000012345678901234567891",
        "123456789012345678901234",  # integer digits beyond 18
        "1234567890123456789.5",
        "-0.17158553004264832",
    ],
)
def test_long_numbers_are_correctly_rounded(tmp_path, text):
    table = read_numeric_table(_write(tmp_path, text + "\n"), 1)
    assert table[0, 0] == float(text)


def test_comment_character_inside_a_row_is_not_a_comment(tmp_path):
    # only lines that start with it are comments: "3 % 4" is a malformed row
    path = _write(tmp_path, "% header\n1 2\n3 % 4\n")
    with pytest.raises(DataFormatError, match=r"line 3, column 2 is not a number"):
        read_numeric_table(path, 2, comment="%", delimiters=" ")


@pytest.mark.parametrize(
    "row, expected",
    [
        ("5,6;7;", "line 3 has 3 columns"),
        ("5,6", "line 3 does not end with ';'"),
        (" ", [[1, 2], [3, 4], [7, 8]]),  # a blank line
        ("5,,6;", [[1, 2], [3, 4], [5, 6], [7, 8]]),  # runs of delimiters count as one
        ("5,6;;", [[1, 2], [3, 4], [5, 6], [7, 8]]),
    ],
)
def test_terminated_format_checks_every_row(tmp_path, row, expected):
    # the fast reader cuts rows at the terminator: stray or missing ones, blank
    # and short rows must still be read as the line-by-line reader does
    path = _write(tmp_path, f"1,2;\r\n3,4;\r\n{row}\r\n7,8;\r\n")
    if isinstance(expected, str):
        with pytest.raises(DataFormatError, match=expected):
            read_numeric_table(path, 2, delimiters=",", terminator=";")
    else:
        np.testing.assert_array_equal(
            read_numeric_table(path, 2, delimiters=",", terminator=";"), expected
        )
