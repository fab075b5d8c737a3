"""An uploaded CSV file as import items: a malformed row fails alone, with its line number.

The first row names the columns: ``from_id`` and ``to_id`` (or ``from`` and ``to``), and
optionally ``type``; a row without a type takes the import's ``type``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from gql.errors import bad_input
from gql.imports.model import ImportItem

BAD_ROW = "BAD_ROW"
_FROM = ("from_id", "fromid", "from")
_TO = ("to_id", "toid", "to")
_TYPE = ("type", "association_type")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def read_items(
    data: bytes,
    default_type: str | None,
    limit: int,
    check: Callable[[str, str, str], str | None],
) -> list[ImportItem]:
    """Every data row as an item; rows that cannot be read are FAILED items naming their line.

    ``check(from_id, to_id, type)`` is the provider's own test of one input.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_input("the file is not UTF-8 text", field="file") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise bad_input(
            "the file is empty: give a header row and data rows", field="file"
        ) from None
    except csv.Error as exc:
        raise bad_input(f"line 1 (the header) cannot be read: {exc}", field="file") from None
    from_col, to_col, type_col = (
        _column(header, _FROM),
        _column(header, _TO),
        _column(header, _TYPE),
    )
    if from_col is None or to_col is None:
        raise bad_input(
            "the header row must name the columns from_id and to_id (and optionally type)",
            field="file",
        )
    width = len(header)
    items: list[ImportItem] = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            items.append(_refused(len(items), line, f"the row cannot be read: {exc}"))
            continue
        line = reader.line_num  # a quoted cell may span lines: the row ends here
        if not any(cell.strip() for cell in row):
            continue  # blank lines carry no input
        if len(items) >= limit:
            raise bad_input(
                f"the file has more than {limit} rows; at most {limit} are accepted",
                field="file",
                limit=limit,
            )
        if len(row) != width:
            items.append(
                _refused(len(items), line, f"the row has {len(row)} cells; the header has {width}")
            )
            continue
        from_id, to_id = row[from_col].strip(), row[to_col].strip()
        type_ = (row[type_col].strip() if type_col is not None else "") or default_type or ""
        reason = ("the row has no type, and the import gives none" if not type_ else None) or check(
            from_id, to_id, type_
        )
        if reason is not None:
            items.append(_refused(len(items), line, reason, from_id, to_id, type_))
            continue
        items.append(ImportItem(len(items), from_id, to_id, type_, line=line))
    return items


def _refused(
    position: int, line: int, reason: str, from_id: str = "", to_id: str = "", type_: str = ""
) -> ImportItem:
    # The line is the error's own field: the message does not repeat it.
    return ImportItem.refused(position, BAD_ROW, reason, from_id, to_id, type_, line=line)
