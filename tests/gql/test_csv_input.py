"""The CSV reader of imports: every data row becomes an item, a bad row a FAILED item."""

from __future__ import annotations

import pytest

from gql.errors import ApiError
from gql.imports.csv_input import BAD_ROW, read_items
from gql.imports.model import ItemState


def _numbers(from_id: str, to_id: str, type_: str) -> str | None:
    return None if from_id.isdigit() and to_id.isdigit() else "ids are numbers"


def test_header_names_bom_quotes_and_default_types():
    data = '\ufeffTo,From,Type\n"1001",1,\n1002,2,"contact_to_company"\n'.encode()
    items = read_items(data, "default_type", 10, _numbers)
    assert [(i.position, i.line, i.from_id, i.to_id, i.type) for i in items] == [
        (0, 2, "1", "1001", "default_type"),
        (1, 3, "2", "1002", "contact_to_company"),
    ]
    assert all(i.state is ItemState.PENDING for i in items)


def test_a_quoted_cell_across_lines_is_numbered_where_its_row_ends():
    data = b'from_id,to_id\n1,"10\n01"\n2,1002\n'
    first, second = read_items(data, "t", 10, _numbers)
    assert (first.line, first.state, first.code) == (3, ItemState.FAILED, BAD_ROW)
    assert (second.line, second.from_id, second.state) == (4, "2", ItemState.PENDING)


@pytest.mark.parametrize(
    ("data", "limit", "words"),
    [
        (b"", 10, "empty"),
        (b"a,b\n1,2\n", 10, "from_id and to_id"),
        (b"\xff\xfe", 10, "UTF-8"),
        (b"from_id,to_id\n1,2\n3,4\n", 1, "more than 1 rows"),
    ],
)
def test_a_file_that_cannot_be_read_refuses_the_import(data, limit, words):
    with pytest.raises(ApiError) as caught:
        read_items(data, "t", limit, _numbers)
    assert words in caught.value.message
    assert caught.value.extensions["field"] == "file"
