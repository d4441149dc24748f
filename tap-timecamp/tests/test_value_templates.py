"""What a custom field values read judges gone, and how compactly the state keeps it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tap_timecamp.value_templates import VALUE_TEMPLATES, TemplatesSeen

resources = st.tuples(st.sampled_from(("user", "task")), st.integers(1, 5_000_000))
template_sets = st.frozensets(st.integers(1, 300), max_size=4)
saved = st.dictionaries(resources, template_sets, max_size=30)


@given(before=saved)
def test_the_state_gives_back_every_resource_with_templates_it_was_given(before):
    state: dict = {}
    TemplatesSeen(before={}, now=dict(before)).write(state, listed={})

    assert TemplatesSeen.from_state(state).before == {r: ts for r, ts in before.items() if ts}


@given(before=saved, resource=resources, answered=template_sets)
def test_a_template_is_gone_only_when_an_answer_with_fields_lacks_it(before, resource, answered):
    seen = TemplatesSeen(before)

    gone = seen.judge(resource, sorted(answered))

    last = before.get(resource, frozenset())
    if not answered and last:
        assert gone is None
    else:
        assert gone == sorted(last - answered)


def test_an_answer_with_an_unusable_template_id_judges_nothing_and_keeps_the_saved_fields():
    seen = TemplatesSeen({("user", 7): frozenset({15, 16})})

    assert seen.judge(("user", 7), [15, None]) == []
    state: dict = {}
    seen.write(state, listed={"user": {7}})
    assert state[VALUE_TEMPLATES] == {"user": {"15,16": [7]}}


def test_a_resource_no_longer_listed_leaves_the_state_and_one_of_a_type_not_read_stays():
    seen = TemplatesSeen({("user", 7): frozenset({15}), ("task", 9): frozenset({21})})
    seen.judge(("user", 8), [15])

    state: dict = {}
    seen.write(state, listed={"user": {8}})

    assert state[VALUE_TEMPLATES] == {"task": {"21": [9]}, "user": {"15": [8]}}


def test_ids_are_kept_as_the_first_and_the_differences():
    seen = TemplatesSeen({}, now={("user", i): frozenset({15, 16}) for i in (1201001, 1201002)})

    state: dict = {}
    seen.write(state, listed={})

    assert state[VALUE_TEMPLATES] == {"user": {"15,16": [1201001, 1]}}
