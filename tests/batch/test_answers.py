import io
import json

import pytest

from nco.batch.answers import answered_ids, write_record
from nco.errors import InputError


def test_records_are_one_line_each_with_the_id_first():
    file = io.StringIO()
    record = write_record(file, "a", {"code": 0, "routes": []})
    assert list(record) == ["id", "code", "routes"]
    assert json.loads(file.getvalue()) == record and file.getvalue().endswith("\n")


def test_answered_ids_drop_a_cut_last_line(tmp_path):
    out = tmp_path / "out.jsonl"
    assert answered_ids(out) == set()
    out.write_text('{"id": "a", "code": 0}\n{"id": 3, "code": 2, "error": "x"}\n{"id": "b", "co')
    assert answered_ids(out) == {"a", 3}
    assert out.read_text().endswith('"x"}\n')


def test_a_file_that_is_not_a_batch_output_is_left_alone(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"no id": 1}\n')
    with pytest.raises(InputError, match="not a record of nco solve-batch"):
        answered_ids(out)
    assert out.read_text() == '{"no id": 1}\n'
