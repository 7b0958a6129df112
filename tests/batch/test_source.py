import pytest

from nco.batch.source import list_problems
from nco.errors import InputError
from nco.instance import Instance


def test_a_folder_lists_its_problem_files_by_name(problem_folder):
    (problem_folder / "notes.md").write_text("not a problem")
    refs = list_problems(problem_folder)
    assert [ref.id for ref in refs] == ["p0.json", "p1.json", "p2.json", "p3.json"]
    assert isinstance(refs[0].read(), Instance)


def test_jsonl_records_are_named_by_id_or_line_and_read_without_it(tmp_path):
    source = tmp_path / "batch.jsonl"
    source.write_text('{"id": "a", "jobs": []}\n\n{"jobs": [1]}\n[1, 2]\n')
    refs = list_problems(source)
    assert [(ref.id, ref.where) for ref in refs] == [("a", f"{source}:1"), (3, f"{source}:3"), (4, f"{source}:4")]
    assert refs[0].read() == {"jobs": []} and refs[1].read() == {"jobs": [1]}
    with pytest.raises(InputError, match="must be a JSON object"):
        refs[2].read()


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"id": "a"}', '{"id": "a"}'], "problem id 'a' is used twice"),
        (['{"id": 2}', "{}"], "problem id 2 is used twice"),
        (['{"id": [1]}'], "must be a string or an integer"),
        ([], "holds no problems"),
    ],
)
def test_ids_must_be_unique_strings_or_integers(tmp_path, lines, message):
    source = tmp_path / "batch.jsonl"
    source.write_text("".join(line + "\n" for line in lines))
    with pytest.raises(InputError, match=message):
        list_problems(source)


def test_a_missing_source_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        list_problems(tmp_path / "nowhere")
