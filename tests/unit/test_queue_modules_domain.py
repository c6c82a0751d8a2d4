"""How the queue gives an agency module's services ticket series and counters."""

from services.queue.domain import counter_plan, module_lines


def service(code: str, queue: dict | None = None) -> dict:
    return {"code": code, "name_id": f"{code} id", "name_en": f"{code} en", "queue": queue}


def test_only_services_with_a_queue_section_get_a_line_coded_module_dot_service():
    manifest = {
        "module": "social_aid",
        "services": [service("pkh", {"prefix": "S", "counters": 2}), service("card")],
    }
    assert module_lines(manifest) == [
        {"code": "social_aid.pkh", "prefix": "S", "name_id": "pkh id", "name_en": "pkh en",
         "counters": 2}
    ]  # fmt: skip


def test_a_line_code_is_cut_to_forty_characters():
    manifest = {"module": "m" * 30, "services": [service("s" * 30, {"prefix": "Z"})]}
    [line] = module_lines(manifest)
    assert line["code"] == f"{'m' * 30}.{'s' * 9}" and line["counters"] == 1


def test_a_new_agency_gets_as_many_new_counters_as_its_busiest_line_wants():
    serve, opened = counter_plan([], {"a.x": 2, "a.y": 1}, {"a.x", "a.y"})
    assert serve == [] and opened == [["a.x", "a.y"], ["a.x"]]


def test_new_lines_go_to_every_existing_counter_of_the_agency_before_any_is_opened():
    serve, opened = counter_plan([["population"], ["population", "tax"]], {"a.x": 3}, {"a.x"})
    assert serve == [["population", "a.x"], ["population", "tax", "a.x"]]
    assert opened == [["a.x"]]


def test_nothing_changes_when_every_line_is_served_enough():
    counters = [["a.x", "a.y"], ["a.x"], ["other"]]
    assert counter_plan(counters, {"a.x": 2, "a.y": 1}, set()) == (counters, [])


def test_a_known_line_served_by_too_few_counters_gets_a_new_one_not_existing_counters():
    # existing counters get only lines created now; a short line gets counters of its own
    serve, opened = counter_plan([["population"]], {"a.x": 1}, set())
    assert serve == [["population"]] and opened == [["a.x"]]
