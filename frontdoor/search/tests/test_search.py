"""Relevance, typos, facets, distance and freshness of search()."""

import datetime
from types import SimpleNamespace

import pytest
import tantivy
from django.utils import timezone

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    ProgrammeFactory,
)
from frontdoor.directory.models import Organisation, Stage
from frontdoor.events.factories import EventFactory
from frontdoor.search import query as search_query
from frontdoor.search.actions import index_rebuild
from frontdoor.search.backend import name_order, schema, search_index
from frontdoor.search.query import (
    TYPO_FIELDS,
    Params,
    _one_of,
    _typo_terms,
    _typos,
    gap_text,
    match_query,
    search,
    text_query,
    words,
)

pytestmark = pytest.mark.django_db


def names(results):
    return [h.name for h in results.hits]


@pytest.fixture
def ecosystem():
    OrganisationFactory(name="Protospace", kind="community", sectors=["ai", "smart-city"])
    OrganisationFactory(
        name="Protospace Robotics Club",
        kind="community",
        summary="A club that meets at Protospace",
        sectors=["robotics"],
    )
    OrganisationFactory(
        name="Kestrel Data",
        kind="startup",
        summary="Machine learning for Protospace members and others",
        sectors=["ai"],
        stage=Stage.objects.get(slug="seed"),
        postcode="MK9 3HS",
    )
    OrganisationFactory(name="Fintech Foundry", kind="sme", sectors=["fintech"], postcode="B2 4QA")
    OrganisationFactory(name="Draft Robotics", state=PublicationState.DRAFT)
    PlaceFactory(name="Bletchley Park", kind="venue", postcode="MK3 6EB", sectors=["creative"])
    PlaceFactory(name="Manchester Lab", kind="lab", postcode="M1 1AD", sectors=["ai"])
    EventFactory(name="Robotics meetup", sectors=["robotics"])
    PersonFactory(name="Ada Mentor", sectors=["ai"])


def test_exact_name_comes_first(ecosystem):
    results = search(Params(q="Protospace"))
    assert names(results)[0] == "Protospace"
    # Name above summary: the club named after it ranks above the firm that mentions it.
    assert names(results).index("Protospace Robotics Club") < names(results).index("Kestrel Data")


def test_misspelt_name_is_still_found(ecosystem):
    results = search(Params(q="Protosapce"))
    assert results.typo_tolerant
    assert "Protospace" in names(results)
    assert "Kestrel Data" in names(search(Params(q="kestral")))


def test_prefix_matches_for_type_ahead(ecosystem):
    assert "Kestrel Data" in names(search(Params(q="kest")))
    assert names(search(Params(q="protospace rob")))[0] == "Protospace Robotics Club"


def test_sector_tags_match_and_filter_narrows(ecosystem):
    everything = search(Params(q="protospace"))
    ai = search(Params(q="protospace", sector=["ai"]))
    assert set(names(ai)) == {"Protospace", "Kestrel Data"}
    assert ai.total < everything.total
    assert everything.facets["sector"]["ai"] == 2
    # A chosen group still counts its other values, so adding one shows what it adds.
    assert ai.facets["sector"]["robotics"] == 1
    assert "Fintech Foundry" in names(search(Params(q="fintech")))


def test_each_chosen_group_counts_within_the_other_choices(ecosystem):
    results = search(Params(q="protospace", sector=["ai"], subkind=["community"]))
    assert names(results) == ["Protospace"]
    # Sectors of the communities, and kinds of the AI records, that mention Protospace.
    assert results.facets["sector"] == {"ai": 1, "smart-city": 1, "robotics": 1}
    assert results.facets["subkind"] == {"community": 1, "startup": 1}
    assert results.facets["type"] == {"organisation": 1}


def test_a_malformed_facet_value_finds_nothing(ecosystem):
    results = search(Params(sector=['ai") OR (*'], stage=["x\\"]))
    assert results.total == 0 and results.hits == []


def test_kind_and_drafts(ecosystem):
    results = search(Params(q="robotics"))
    assert "Draft Robotics" not in names(results)
    assert results.facets["type"] == {"organisation": 1, "event": 1}
    assert names(search(Params(q="robotics", type=["event"]))) == ["Robotics meetup"]


def test_distance_orders_by_distance(ecosystem):
    results = search(Params(near="MK9 3HS", sort="distance"))
    assert names(results) == ["Kestrel Data", "Bletchley Park", "Fintech Foundry", "Manchester Lab"]
    distances = [h.distance_km for h in results.hits]
    assert distances == sorted(distances) and distances[0] < 0.1
    assert 85 < distances[2] < 95
    near = search(Params(near="MK9 3HS", within=10))
    assert names(near) == ["Kestrel Data", "Bletchley Park"]
    assert search(Params(near="nowhere")).near_error


def test_sorts_by_name_and_newest(ecosystem):
    by_name = names(search(Params(sort="name", type=["organisation"])))
    assert by_name == sorted(by_name, key=str.lower)
    newest = search(Params(sort="newest")).hits[0].name
    assert newest == "Ada Mentor"


def test_upcoming_and_open_facets(ecosystem):
    provider = Organisation.objects.get(name="Kestrel Data")
    today = timezone.localdate()
    ProgrammeFactory(name="Seed grant", provider=provider, opens_on=today, closes_on=today)
    ProgrammeFactory(
        name="Closed grant",
        opens_on=today - datetime.timedelta(days=9),
        closes_on=today - datetime.timedelta(days=1),
    )
    results = search(Params(open=True))
    assert set(names(results)) == {"Seed grant", "Kestrel Data"}
    assert search(Params()).flags["open"] == 2
    assert names(search(Params(upcoming=True))) == ["Robotics meetup"]


def test_a_new_open_programme_counts_its_provider_at_once(ecosystem):
    # The open providers are kept per index state: a saved programme must change that.
    assert search(Params(open=True)).total == 0
    today = timezone.localdate()
    provider = Organisation.objects.get(name="Fintech Foundry")
    programme = ProgrammeFactory(name="Pay grant", provider=provider, opens_on=today)
    assert set(names(search(Params(open=True)))) == {"Pay grant", "Fintech Foundry"}
    programme.delete()
    assert search(Params(open=True)).total == 0


def test_an_edit_is_findable_right_after_saving(ecosystem):
    assert search(Params(q="Quokka")).total == 0
    org = Organisation.objects.get(name="Fintech Foundry")
    org.name = "Quokka Payments"
    org.save()
    assert names(search(Params(q="Quokka"))) == ["Quokka Payments"]
    assert "Fintech Foundry" not in names(search(Params(q="foundry")))


def test_unpublished_and_deleted_records_leave_search(ecosystem):
    org = Organisation.objects.get(name="Kestrel Data")
    assert search(Params(q="kestrel")).total == 1
    org.state = PublicationState.ARCHIVED
    org.save()
    assert search(Params(q="kestrel")).total == 0
    Organisation.objects.get(name="Protospace").delete()
    assert "Protospace" not in names(search(Params(q="protospace")))


def test_rebuild_makes_the_same_index(ecosystem):
    before = names(search(Params(q="protospace")))
    assert index_rebuild() == 8
    assert names(search(Params(q="protospace"))) == before


def test_snippets_highlight_and_escape(ecosystem):
    OrganisationFactory(name="Xylo", summary="We <script>alert(1)</script> build xylophones")
    snippet = search(Params(q="xylophones")).hits[0].snippet
    assert "<b>xylophones</b>" in snippet and "<script>" not in snippet


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("  Robotics   MK ", "robotics mk"),
        ("mentor jo.bloggs@example.com", "mentor"),
        ("call 07700 900123 about grants", "call about grants"),
        ("workspace near MK9 3HS", "workspace near"),
    ],
)
def test_gap_text_drops_personal_data(query, kept):
    assert gap_text(query) == kept


@pytest.mark.parametrize("fuzzy", [False, True])
@pytest.mark.parametrize(
    "text", ["protospace", "robotics club", "protosapce", "kest", "ai mk", "club protospace club"]
)
def test_counting_query_finds_what_the_ranked_query_finds(ecosystem, text, fuzzy):
    searcher = search_index().ready()
    tokens = words(text)
    ranked = text_query(searcher, tokens, name_order(text), fuzzy=fuzzy)
    counted = match_query(searcher, tokens, fuzzy=fuzzy)

    def keys(query):
        found = searcher.search(query, limit=100).hits
        return {searcher.doc(address).get_first("key") for _, address in found}

    assert keys(counted) == keys(ranked)


def test_a_common_kind_is_filtered_by_excluding_the_others(ecosystem):
    # A made-up word: factory summaries are random words, and "member" turned up in one.
    for n in range(12):
        OrganisationFactory(name=f"Quokkaworks {n}", sectors=["ai"])
    results = search(Params(type=["organisation"], per_page=50))
    assert results.total == Organisation.objects.published().count()
    assert {h.kind for h in results.hits} == {"organisation"}
    assert search(Params(q="quokkaworks", type=["organisation"])).total == 12
    assert search(Params(q="quokkaworks", type=["place"])).total == 0
    # Counted as every match less the other kinds: the place and the person in AI are not.
    organisations = search(Params(type=["organisation"]))
    assert organisations.facets["sector"]["ai"] == 14
    assert organisations.facets["type"] == search(Params()).facets["type"]
    everything = search(Params()).total
    all_kinds = ["organisation", "place", "programme", "event", "person", "trial"]
    assert search(Params(type=all_kinds)).total == everything


@pytest.mark.parametrize("word", ["protosapce", "kestral", "estrel", "clbu", "robotcs", "zzzz"])
def test_typo_words_find_what_the_fuzzy_query_finds(ecosystem, word):
    # A word's typo variants come from the vocabulary, once per index state, in place of
    # tantivy's Levenshtein automaton in every pass: same documents, same constant score.
    searcher = search_index().ready()

    def found(query):
        hits = searcher.search(query, limit=100).hits
        return {searcher.doc(address).get_first("key"): score for score, address in hits}

    for field, _ in TYPO_FIELDS:
        automaton = tantivy.Query.fuzzy_term_query(schema(), field, word, distance=_typos(word))
        terms = _typo_terms(searcher, field, word)
        assert found(_one_of(schema(), field, terms) if terms else tantivy.Query.empty_query()) == (
            found(automaton)
        )
    expected = {"protosapce": "protospace", "estrel": "kestrel", "clbu": "club", "zzzz": None}
    if word in expected:
        assert _typo_terms(searcher, "name", word) == [w for w in [expected[word]] if w]


def test_a_new_word_is_typo_tolerant_right_after_saving(ecosystem):
    assert search(Params(q="wombta")).total == 0
    OrganisationFactory(name="Wombat Works")
    assert names(search(Params(q="wombta"))) == ["Wombat Works"]


def test_a_large_vocabulary_is_read_again_in_the_background(ecosystem, monkeypatch):
    # Searches go on with the previous vocabulary while the new one is read (no search
    # waits for it); a new word is typo-matched once the reading is done.
    monkeypatch.setattr(search_query, "READ_IN_BACKGROUND_ABOVE", 0)
    before = search_index().ready()
    search_query._read_vocabulary(before)
    OrganisationFactory(name="Wombat Works")
    after = search_index().ready()
    assert after is not before
    tasks = []
    with monkeypatch.context() as m:
        m.setattr(search_query, "_pool", SimpleNamespace(submit=lambda *task: tasks.append(task)))
        assert search_query._typo_terms(after, "name", "wombta") == []  # the previous vocabulary
        assert search_query._typo_terms(after, "name", "wombta") == []  # read once, not per search
    assert len(tasks) == 1
    read, *args = tasks[0]
    read(*args)
    assert search_query._typo_terms(after, "name", "wombta") == ["wombat"]
    assert names(search(Params(q="wombta"))) == ["Wombat Works"]
