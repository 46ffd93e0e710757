"""Words that the plain letters-and-digits reading loses: programming languages spelt with
punctuation (C++, C#, F#, .NET) and Chinese, Japanese and Korean text, which has no spaces."""

import pytest

from frontdoor.directory.factories import OrganisationFactory, PersonFactory
from frontdoor.events.factories import EventFactory
from frontdoor.search.query import Params, search

pytestmark = pytest.mark.django_db


def names(results):
    return [h.name for h in results.hits]


@pytest.fixture
def languages():
    EventFactory(name="C++ meetup", summary="Templates, ranges and modules in C++20")
    OrganisationFactory(name="C# user group", summary="Monthly talks for C# developers")
    OrganisationFactory(name="F# functional night", kind="community")
    OrganisationFactory(
        name="Cloud clinic", summary="Help moving ASP.NET Core services to the cloud"
    )
    PersonFactory(name="Grace Hopper", headline="C# and .NET mentor")
    # Records a lone "c" or "net" reading of those searches would find.
    OrganisationFactory(name="Plan C Studio", summary="Product design")
    OrganisationFactory(name="Vitamin C Labs", summary="Health data")
    OrganisationFactory(name="Net Zero Hub", summary="Climate tech")
    OrganisationFactory(name="Network North", summary="Founders meet monthly")
    OrganisationFactory(name="Formula F Racing", summary="Motorsport telemetry")
    OrganisationFactory(name="ASP Networks", summary="Hosted software")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("C++", {"C++ meetup"}),
        ("c++", {"C++ meetup"}),
        ("C#", {"C# user group", "Grace Hopper"}),
        ("F#", {"F# functional night"}),
        (".NET", {"Cloud clinic", "Grace Hopper"}),
        ("asp.net", {"Cloud clinic"}),
    ],
)
def test_a_language_spelt_with_punctuation_finds_only_itself(languages, text, found):
    assert set(names(search(Params(q=text)))) == found


def test_a_language_ranks_its_own_records_first(languages):
    assert names(search(Params(q="C++ meetup")))[0] == "C++ meetup"
    # The letter alone still finds what names it, and not the languages built on it.
    assert set(names(search(Params(q="c")))) == {"Plan C Studio", "Vitamin C Labs"}
    assert set(names(search(Params(q="net")))) == {"Net Zero Hub", "Network North", "ASP Networks"}


def test_a_language_is_highlighted_in_the_snippet(languages):
    snippet = search(Params(q="C#")).hits[0].snippet
    assert "<b>C#</b>" in snippet


@pytest.fixture
def cjk():
    # Peking University's AI institute; a Shenzhen AI and robotics institute (14 characters,
    # longer than one word may be); a Tokyo technology company; a Seoul technology firm.
    # (Their slugs are given: the factory's slugify leaves nothing of these names.)
    OrganisationFactory(name="北京大学人工智能研究院", slug="pku-ai", summary="人工智能的基础研究")
    OrganisationFactory(name="深圳市人工智能与机器人研究院", slug="shenzhen-ai")
    OrganisationFactory(
        name="東京テクノロジー株式会社", slug="tokyo-tech", summary="ソフトウェア開発"
    )
    OrganisationFactory(name="서울테크놀로지", slug="seoul-tech", summary="스마트 시티")
    # The same characters as "人工智能", not next to each other.
    OrganisationFactory(name="智能工人之家", slug="workers-home")
    OrganisationFactory(name="Kestrel Data", summary="Machine learning")


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("人工智能", "北京大学人工智能研究院"),
        ("研究院", "北京大学人工智能研究院"),
        ("深圳", "深圳市人工智能与机器人研究院"),
        ("深圳市人工智能与机器人研究院", "深圳市人工智能与机器人研究院"),
        ("テクノロジー", "東京テクノロジー株式会社"),
        ("株式会社", "東京テクノロジー株式会社"),
        ("테크", "서울테크놀로지"),
        ("ソフトウェア", "東京テクノロジー株式会社"),
    ],
)
def test_part_of_a_cjk_name_or_summary_finds_it(cjk, text, first):
    assert names(search(Params(q=text)))[0] == first


def test_cjk_characters_together_in_a_name_rank_first(cjk):
    found = names(search(Params(q="人工智能")))
    assert found[:2] == ["北京大学人工智能研究院", "深圳市人工智能与机器人研究院"]
    assert "智能工人之家" in found and "Kestrel Data" not in found
    assert names(search(Params(q="研究院 Kestrel"))) == []


def test_cjk_mixed_with_latin_words(cjk):
    OrganisationFactory(name="Kestrel 数据实验室", slug="kestrel-lab")
    assert names(search(Params(q="kestrel 实验室"))) == ["Kestrel 数据实验室"]


@pytest.mark.parametrize("text", ["「東京テクノロジー」", "東京、大阪", "ソフトウェア・開発。"])
def test_cjk_punctuation_is_no_word_a_query_must_match(cjk, text):
    # Quoting a name in 「」 or listing places with 、 must not add words no record holds.
    OrganisationFactory(name="大阪デザイン", slug="osaka-design", summary="東京 大阪")
    assert names(search(Params(q=text)))[0] in ("東京テクノロジー株式会社", "大阪デザイン")
