"""Names are shown family name first for Chinese names, as written otherwise."""

from types import SimpleNamespace

from django.template import Context, Template

from core.names import person_name


def user(first="", last="", username="u1"):
    return SimpleNamespace(first_name=first, last_name=last, get_username=lambda: username)


def test_chinese_names_show_family_name_first_without_a_space():
    assert person_name(user("晓明", "王")) == "王晓明"


def test_a_name_kept_whole_in_one_field_is_shown_as_it_is():
    assert person_name(user("王晓明")) == "王晓明"


def test_latin_names_keep_their_order():
    assert person_name(user("Anna", "Schmidt")) == "Anna Schmidt"


def test_without_a_name_the_username_is_shown_and_nobody_is_blank():
    assert person_name(user(username="lina")) == "lina"
    assert person_name(None) == ""


def test_the_template_filter_uses_the_same_rule():
    rendered = Template("{% load core_tags %}{{ u|person }}|{{ none|person|default:'—' }}").render(
        Context({"u": user("晓明", "王"), "none": None})
    )
    assert rendered == "王晓明|—"
