"""search(): one ranked, faceted, typo-tolerant search over every kind of listing.

Ranking: a whole-name match first, then per word the best of name, sectors/tags, summary and
description (in that order of weight); the last word also matches as a prefix, for
type-ahead. When the exact words find (almost) nothing, the search runs again with each
word allowed one or two typos, and says so.
"""

import datetime
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import tantivy
from django.utils import timezone
from rapidfuzz import process
from rapidfuzz.distance import OSA

from frontdoor.core import geo
from frontdoor.directory.models import Programme, Sector
from frontdoor.events.models import Event
from frontdoor.search import backend

Occur = tantivy.Occur
FEW = 3  # fewer results than this counts as a "low-result" search, and tries typos
MAX_WORDS = 8
FIELD_BOOSTS = (("name", 4.0), ("tags", 2.0), ("summary", 1.5), ("description", 1.0))
SORTS = {"relevance": "Relevance", "name": "Name", "newest": "Newest", "distance": "Distance"}
FACET_NAMES = {
    "type": "kind",
    "subkind": "subkind",
    "sector": "sector",
    "stage": "stage",
    "area": "area",
}
FACET_GROUPS = {
    "type": "What",
    "subkind": "Kind",
    "sector": "Sector",
    "stage": "Stage",
    "area": "Area",
}
# Which counting column each facet group is read from, and which part of its value it is:
# kind, subkind, stage and area share the "kind|subkind|stage|area" column; a sector
# combination ("ai fintech") counts once for each of its sectors.
FACET_COLUMNS = {
    "type": ("profile", 0),
    "subkind": ("profile", 1),
    "stage": ("profile", 2),
    "area": ("profile", 3),
    "sector": ("sector_set", None),
}
# Sizes well above the combinations there can be, so no bucket is ever cut off.
COLUMN_AGGREGATION = {
    "profile": {"terms": {"field": "profile", "size": 100_000}},
    "sector_set": {"terms": {"field": "sector_set", "size": 100_000}},
}
# A last word found in fewer records than this is probably unfinished: match it as a prefix.
PREFIX_BELOW = 500
# Distinct points (4-decimal coordinates, about a postcode each) counted in one aggregation;
# a box with more points than this keeps some of its corners' points in a "within" search.
MAX_POINTS = 200_000
# Fields a word may match with a typo or two, and their weights.
TYPO_FIELDS = (("name", 2.0), ("tags", 1.0), ("summary", 0.5))
LETTERS = "abcdefghijklmnopqrstuvwxyz"
_analyzer = backend.text_analyzer()


@dataclass
class Params:
    """What the visitor asked for, already validated (see forms.SearchForm)."""

    q: str = ""
    type: list = field(default_factory=list)
    subkind: list = field(default_factory=list)
    sector: list = field(default_factory=list)
    stage: list = field(default_factory=list)
    area: list = field(default_factory=list)
    open: bool = False
    upcoming: bool = False
    near: str = ""
    within: int | None = None
    sort: str = ""
    page: int = 1
    per_page: int = 20


# One record's kind, as its hit is labelled.
KIND_LABEL = {kind: label.removesuffix("s") for kind, label in backend.KIND_LABELS.items()}
KIND_LABEL["person"] = "Person"
EVENT_STATUS_LABELS = dict(Event.Status.choices)


@dataclass
class Hit:
    kind: str
    pk: int
    name: str
    url: str
    summary: str
    snippet: str
    subkind: str
    postcode: str
    latitude: float | None
    longitude: float | None
    starts: datetime.datetime | None
    score: float
    distance_km: float | None = None
    status: str = ""  # an event's: scheduled, postponed or cancelled
    day: datetime.date | None = None  # an all-day event's own first day

    @property
    def kind_label(self):
        return KIND_LABEL[self.kind]

    @property
    def status_label(self):
        """A status worth saying, as an event's card says it: not "Scheduled"."""
        if self.status == Event.Status.SCHEDULED:
            return ""
        return EVENT_STATUS_LABELS.get(self.status, "")

    @property
    def subkind_label(self):
        return backend.SUBKIND_LABELS.get(self.subkind, "")


@dataclass
class Results:
    """One page of hits, the total, counts for every facet value, and what was understood."""

    hits: list
    total: int
    facets: dict
    flags: dict
    sort: str
    near: geo.Location | None = None
    near_error: str = ""
    typo_tolerant: bool = False
    exact_total: int = 0  # when typo-tolerant: how many the exact words found
    page: int = 1
    per_page: int = 20

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))


def words(text):
    return _analyzer.analyze(text or "")[:MAX_WORDS]


def _loose_options(searcher, tokens, i, fuzzy):
    """(field, query, boost) for word i as a prefix and, if `fuzzy`, with typos."""
    schema = backend.schema()
    token = tokens[i]
    options = []
    if _as_prefix(searcher, tokens, i):
        for f, boost in (("name", 3.0), ("tags", 1.0)):
            query = tantivy.Query.fuzzy_term_query(schema, f, token, distance=0, prefix=True)
            options.append((f, query, boost))
    # A word with no other word a typo or two away is matched as in the exact query: its
    # typo options would match just what its exact ones do (at a constant score).
    if fuzzy and _widens(searcher, token):
        for f, boost in TYPO_FIELDS:
            terms = _typo_terms(searcher, f, token)
            if terms is None:
                query = tantivy.Query.fuzzy_term_query(schema, f, token, distance=_typos(token))
            elif terms:
                query = _one_of(schema, f, terms)
            else:
                continue
            options.append((f, query, boost))
    return options


def _typo_tolerant(token):
    return token.isalpha() and len(token) >= 4


def _typos(token):
    return 2 if len(token) >= 8 else 1


def _one_of(schema, name, terms):
    """Any of `terms`, scored 1 like the fuzzy term query it stands for (which gives every
    match a constant score, however many of its words a document holds)."""
    options = [tantivy.Query.term_query(schema, name, t, index_option="basic") for t in terms]
    if len(options) > 1:
        options = [tantivy.Query.boolean_query([(Occur.Should, o) for o in options])]
    return tantivy.Query.const_score_query(options[0], 1.0)


# After an index change a vocabulary larger than this is read again in the background
# (about 2 µs a word, 0.4 s for 200,000); searches meanwhile use the previous one, so a word
# saved in the last moment is typo-matched a moment later (and matched exactly at once).
READ_IN_BACKGROUND_ABOVE = 50_000
# "entry": (searcher, its words by field and length, typo expansions found so far, word
# count); "next": the searcher whose vocabulary is being read in the background.
_vocabulary = {}


def _vocabulary_for(searcher):
    entry = _vocabulary.get("entry")
    if entry is not None and entry[0] is not searcher:
        if entry[3] <= READ_IN_BACKGROUND_ABOVE:
            return _read_vocabulary(searcher)
        if _vocabulary.get("next") is not searcher:
            _vocabulary["next"] = searcher
            _pool.submit(_read_vocabulary, searcher)
    return entry or _read_vocabulary(searcher)


def _read_vocabulary(searcher):
    # Walked by first letter, a to z: the name field also holds a number per generated
    # record, a million terms to walk for nothing (no typo match starts with a digit).
    words = {f: _by_length(searcher, f) for f, _ in TYPO_FIELDS}
    count = sum(len(terms) for lengths in words.values() for terms in lengths.values())
    entry = _vocabulary["entry"] = (searcher, words, {}, count)  # one assignment: atomic
    return entry


def _typo_terms(searcher, field, token):
    """The words of `field` within a typo or two of `token`: what a fuzzy term query would
    match, found once per index state instead of in every pass that uses it (tantivy
    expands the automaton again for each). None for a word that does not start with a to z:
    the vocabulary only holds those, so such words keep the automaton."""
    if not "a" <= token[0] <= "z":
        return None
    _, words, found, _ = _vocabulary_for(searcher)
    key = (field, token)
    terms = found.get(key)
    if terms is None:
        if len(found) > 10_000:
            found.clear()  # typed words are unbounded; the vocabulary is not
        # Optimal string alignment distance: a swap of neighbouring letters is one typo, as
        # in tantivy's automaton (transposition_cost_one).
        # A word d typos away is at most d letters longer or shorter: only those lengths
        # are compared (a quarter of a large vocabulary, for the same answer).
        typos = _typos(token)
        terms = found[key] = [
            term
            for length in range(len(token) - typos, len(token) + typos + 1)
            for term, _, _ in process.extract(
                token,
                words[field].get(length, ()),
                scorer=OSA.distance,
                score_cutoff=typos,
                limit=None,
            )
        ]
    return terms


def _by_length(searcher, field):
    """The field's words that start with a to z, by length."""
    words = {}
    for c in LETTERS:
        for term, _ in searcher.terms_with_prefix(field, c):
            words.setdefault(len(term), []).append(term)
    return words


def _widens(searcher, token):
    """Whether typo tolerance lets `token` match a word other than itself."""
    if not _typo_tolerant(token):
        return False
    terms = [_typo_terms(searcher, f, token) for f, _ in TYPO_FIELDS]
    return any(t is None or set(t) - {token} for t in terms)


def match_query(searcher, tokens, fuzzy):
    """The documents text_query() finds, unscored, for counting: each word is looked up once,
    in the field holding the words of every searched field, so counting walks one list per
    word rather than the union of four."""
    schema = backend.schema()
    must = []
    for i, token in enumerate(tokens):
        # A repeated word adds nothing to what matches (it only weighs more in the ranking).
        # Its first place is never the last one, so it is the clause without the prefix:
        # the narrower of the two, which is what both together match.
        if token in tokens[:i]:
            continue
        options = [tantivy.Query.term_query(schema, "all", token, index_option="basic")]
        options += [query for _, query, _ in _loose_options(searcher, tokens, i, fuzzy)]
        if len(options) == 1:
            must.append((Occur.Must, options[0]))
        else:
            must.append(
                (Occur.Must, tantivy.Query.boolean_query([(Occur.Should, o) for o in options]))
            )
    return tantivy.Query.boolean_query(must)


def text_query(searcher, tokens, whole, fuzzy):
    """Every word must match some field; a whole-name or phrase match lifts a hit to the top."""
    schema = backend.schema()
    must = []
    for i, token in enumerate(tokens):
        options = [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(schema, f, token, index_option="freq"), boost
            )
            for f, boost in FIELD_BOOSTS
        ]
        options += [
            tantivy.Query.boost_query(query, boost)
            for _, query, boost in _loose_options(searcher, tokens, i, fuzzy)
        ]
        must.append((Occur.Must, tantivy.Query.disjunction_max_query(options, 0.1)))
    boosts = [
        (
            Occur.Should,
            tantivy.Query.boost_query(
                tantivy.Query.term_query(schema, "name_order", whole, index_option="basic"), 20.0
            ),
        )
    ]
    if len(tokens) > 1:
        # The words in this order in the name: every neighbouring pair is in name_pairs.
        # (A phrase query would read the name's word positions in every match.)
        pairs = [
            (Occur.Must, tantivy.Query.term_query(schema, "name_pairs", pair, index_option="freq"))
            for pair in backend.word_pairs(tokens)
        ]
        phrase = pairs[0][1] if len(pairs) == 1 else tantivy.Query.boolean_query(pairs)
        boosts.append((Occur.Should, tantivy.Query.boost_query(phrase, 6.0)))
    return tantivy.Query.boolean_query(must + boosts)


def _any_of(schema, name, values):
    """Any of a few values. Term queries, not a term set: a set query first marks every
    matching document, which costs a pass over a million for `type=organisation`."""
    terms = [tantivy.Query.term_query(schema, name, v, index_option="basic") for v in values]
    if len(terms) == 1:
        return terms[0]
    return tantivy.Query.boolean_query([(Occur.Should, t) for t in terms])


def _facet_values(group, values):
    return [f"{group}:{v}" for v in values]


def _range(schema, name, kind, lower=None, upper=None):
    # Through the term dictionary: scanning the column would read all million values.
    return tantivy.Query.range_query(
        schema, name, kind, lower_bound=lower, upper_bound=upper, use_inverted_index=True
    )


_corners = {}  # "entry": (index state, {(lat, lon, km): the points of Search.corner_points})
_providers = {}  # "entry": this process's open providers, with the (index state, day) they are for
# Up to two tasks per search (a typo-free and a typo-tolerant page of hits): enough threads
# that one search's second attempt does not queue behind its first.
_pool = ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 2), thread_name_prefix="search")


def _may_match(searcher, tokens, i):
    """Whether word i can match exactly: it is in some field, or it is the start of a word
    in the fields that the last word is matched against as a prefix."""
    token = tokens[i]
    if any(searcher.doc_freq(name, token) for name, _ in FIELD_BOOSTS):
        return True
    return _as_prefix(searcher, tokens, i) and any(
        searcher.terms_with_prefix(name, token, limit=1) for name in ("name", "tags")
    )


def _as_prefix(searcher, tokens, i):
    """The last word, if it looks unfinished, also matches as the start of a word."""
    token = tokens[i]
    return (
        i == len(tokens) - 1
        and token.isalpha()
        and len(token) >= 2
        and searcher.doc_freq("name", token) < PREFIX_BELOW
    )


@lru_cache(maxsize=65_536)
def _split(column, key):
    """A counting-column value's parts; the values recur in every search (hundreds of
    combinations), so each is split only once."""
    return tuple(key.split("|") if column == "profile" else key.split())


def _add_counts(counts, buckets):
    """Add the counting columns' buckets to `counts`: {group: {value: n}} for the groups
    wanted (other groups' values are skipped). Hundreds of buckets per search, so this
    loop is kept tight."""
    for column, found in buckets.items():
        parts = [
            (counts[g], part)
            for g, (c, part) in FACET_COLUMNS.items()
            if c == column and g in counts
        ]
        for bucket in found:
            n = bucket["doc_count"]
            values = _split(column, bucket["key"])
            for into, part in parts:
                if part is None:
                    for value in values:
                        into[value] = into.get(value, 0) + n
                else:
                    value = values[part]
                    into[value] = into.get(value, 0) + n
    for into in counts.values():
        into.pop("", None)  # records with no stage or no area


PLAIN_FACET = re.compile(r"[\w-]+:[\w-]+")


def _any_text(values):
    """Any of these facet values, in tantivy's query language. Every indexed value is a
    plain slug or code; anything else (which the form never lets through) becomes a value
    no record has, rather than query text."""
    plain = [v if PLAIN_FACET.fullmatch(v) else "none:" for v in values]
    return "(" + " OR ".join(f'facet:"{v}"' for v in plain) + ")"


def _minus(buckets, fewer):
    """Counting-column buckets less those of a subset of the same records."""
    less = {b["key"]: b["doc_count"] for b in fewer}
    left = ((b["key"], b["doc_count"] - less.get(b["key"], 0)) for b in buckets)
    return [{"key": key, "doc_count": n} for key, n in left if n]


class Search:
    """One search request against a searcher; see search() below."""

    def __init__(self, searcher, params, today, now, state=None):
        self.searcher = searcher
        self.state = state
        self.schema = backend.schema()
        self.p = params
        self.today = today
        self.now = now

    def filters(self, leave_out=None, ranked=False, groups=True):
        """The filter clauses of the request; leave_out drops one facet group (for its counts),
        `groups=False` all of them (see facet_counts); `ranked` for the query that finds the
        page of hits (see kind_clauses)."""
        s = self.schema
        clauses = []
        for group, facet in FACET_NAMES.items():
            values = getattr(self.p, group)
            if values and groups and group != leave_out:
                if group == "type":
                    clauses.extend(self.kind_clauses(values, ranked))
                else:
                    clauses.append(_any_of(s, "facet", _facet_values(facet, values)))
        if self.p.open and leave_out != "open":
            clauses.append(self.open_query())
        if self.p.upcoming and leave_out != "upcoming":
            clauses.append(self.upcoming_query())
        if self.near and self.p.within:
            clauses.extend(self.within())
        return clauses

    def kind_clauses(self, kinds, ranked):
        """Records of these kinds. Every record has exactly one kind, so this is also "none of
        the other kinds"; when those are the rarer (organisations among a million records),
        the ranked query excludes them: scoring every match against a list of nearly all
        documents costs more. (Counting subtracts them instead: see facet_counts.)"""
        if set(backend.KINDS) <= set(kinds):
            return []
        rest = self.rarer_kinds()
        if ranked and rest:
            # A term set marks its few documents once; each match is then a bit test.
            return [(Occur.MustNot, tantivy.Query.term_set_query(self.schema, "facet", rest))]
        return [_any_of(self.schema, "facet", _facet_values("kind", kinds))]

    def rarer_kinds(self):
        """The facet values of the kinds not chosen, when a kind is chosen and those are
        the fewer records; else an empty list."""
        chosen = _facet_values("kind", self.p.type)
        rest = _facet_values("kind", [k for k in backend.KINDS if k not in self.p.type])
        if chosen and rest and sum(map(self._frequency, rest)) < sum(map(self._frequency, chosen)):
            return rest
        return []

    def _frequency(self, value):
        return self.searcher.doc_freq("facet", value)

    def open_query(self):
        """Programmes open today, and organisations that run one."""
        s = self.schema
        day = self.today.toordinal()
        programmes = tantivy.Query.boolean_query(
            [
                (Occur.Must, tantivy.Query.term_query(s, "kind", "programme")),
                (Occur.Must, _range(s, "opens", tantivy.FieldType.Integer, upper=day)),
                (Occur.Must, _range(s, "closes", tantivy.FieldType.Integer, lower=day)),
            ]
        )
        providers = self.open_providers()
        options = [(Occur.Should, programmes)]
        if providers:
            keys = [f"organisation:{pk}" for pk in providers]
            options.append((Occur.Should, tantivy.Query.term_set_query(s, "key", keys)))
        return tantivy.Query.boolean_query(options)

    def open_providers(self):
        """Organisations running a programme open today; read once per index state and day."""
        if not hasattr(self, "_providers"):
            # The index state changes whenever a programme is saved or deleted (that is what
            # the freshness check notices), so it is a safe key for this process's copy.
            key = (self.state, self.today)
            known_key, known = _providers.get("entry", (None, None))
            if known_key != key or self.state is None:
                known = frozenset(
                    Programme.objects.published()
                    .open_on(self.today)
                    .filter(provider__isnull=False)
                    .values_list("provider_id", flat=True)
                )
                # Key and value in one assignment, so another thread never pairs them wrongly.
                _providers["entry"] = (key, known)
            self._providers = known
        return self._providers

    def upcoming_query(self):
        s = self.schema
        return tantivy.Query.boolean_query(
            [
                (Occur.Must, tantivy.Query.term_query(s, "kind", "event")),
                (
                    Occur.Must,
                    _range(s, "ends", tantivy.FieldType.Integer, lower=int(self.now.timestamp())),
                ),
            ]
        )

    def box(self, km):
        """Latitude and longitude ranges enclosing a circle of `km` around the point."""
        lat, lon = self.near.latitude, self.near.longitude
        dlat = km / 111.0
        dlon = km / (111.320 * max(0.01, math.cos(math.radians(lat))))
        return [
            _range(self.schema, "lat", tantivy.FieldType.Float, lat - dlat, lat + dlat),
            _range(self.schema, "lon", tantivy.FieldType.Float, lon - dlon, lon + dlon),
        ]

    def within(self):
        """Clauses for the records within the chosen distance of the point: its bounding box
        less the box's points beyond that distance (in its corners)."""
        clauses = self.box(self.p.within)
        corners = self.corner_points(self.p.within)
        if corners:
            set_query = tantivy.Query.term_set_query(self.schema, "point", corners)
            clauses.append((Occur.MustNot, set_query))
        return clauses

    def corner_points(self, km):
        """The indexed points in the box around the point but beyond `km` from it. Only the
        records outside the square that fits inside the circle are looked at. Kept per
        index state: a visitor paging or changing filters asks the same again."""
        state, known = _corners.get("entry", (None, None))
        if known is None or state != self.state or self.state is None or len(known) > 256:
            # State and points in one assignment, so another thread never pairs them wrongly.
            known = {}
            _corners["entry"] = (self.state, known)
        key = (self.near.latitude, self.near.longitude, km)
        if key not in known:
            inside = tantivy.Query.boolean_query(
                # 0.69: under 1/√2, with room for the flat-earth box
                [(Occur.Must, c) for c in self.box(km * 0.69)]
            )
            outside = self.combine(
                tantivy.Query.all_query(), [*self.box(km), (Occur.MustNot, inside)]
            )
            known[key] = [point for d, point, _ in self.point_counts(outside) if d > km]
        return known[key]

    def combine(self, base, clauses):
        """`base` narrowed by filter clauses: queries, or (Occur.MustNot, query) pairs."""
        if not clauses:
            return base
        return tantivy.Query.boolean_query(
            [(Occur.Must, base)] + [c if isinstance(c, tuple) else (Occur.Must, c) for c in clauses]
        )

    def run(self):
        p = self.p
        self.near, near_error = None, ""
        if p.near:
            self.near = geo.postcode_lookup(p.near)
            if self.near is None:
                near_error = f"We could not find the postcode “{p.near}”."
        tokens = words(p.q)
        whole = backend.name_order(p.q)
        sort = p.sort or ("relevance" if tokens else ("distance" if self.near else "newest"))
        if sort == "distance" and not self.near:
            sort = "relevance" if tokens else "newest"
        self.open_providers()  # read here: the database connection belongs to this thread
        doomed, exact_total = False, 0

        def widened():
            # Typos can only find more when some word is a typo or two from another word.
            # Asked only when typos are wanted: the first asking per index state reads the
            # vocabulary.
            return any(_widens(self.searcher, token) for token in set(tokens))

        if tokens:
            exact = text_query(self.searcher, tokens, whole, fuzzy=False)
            exact_match = match_query(self.searcher, tokens, fuzzy=False)
            # A word in no field matches nothing exactly: go straight to the typo-tolerant
            # query rather than first counting an empty result.
            doomed = (
                not all(_may_match(self.searcher, tokens, i) for i in range(len(tokens)))
                and widened()
            )
        elif p.q.strip():
            # Text, but no word the index could hold (punctuation, emoji, a 200-letter
            # "word"): nothing matches it, rather than everything.
            exact = exact_match = tantivy.Query.boolean_query([])
        else:
            exact = exact_match = tantivy.Query.all_query()
        if doomed:
            base = text_query(self.searcher, tokens, whole, fuzzy=True)
            matching = match_query(self.searcher, tokens, fuzzy=True)
        else:
            base, matching = exact, exact_match
        query = self.combine(base, self.filters(ranked=True))
        # The page of hits is found on another thread while this one counts; tantivy lets go
        # of the GIL while it searches, so on a machine with a core to spare the two overlap.
        # Counting uses the unscored query.
        hits = _pool.submit(self.page_of_hits, query, sort, base)
        facets, total = self.facet_counts(self.listed(matching, sort))
        typo = doomed and total > 0
        if doomed and not typo:
            # Nothing either way: what is shown is the exact query's (empty) result.
            base, matching = exact, exact_match
            query = self.combine(exact, self.filters(ranked=True))
        elif tokens and not doomed and total < FEW and widened():
            fuzzy = text_query(self.searcher, tokens, whole, fuzzy=True)
            fuzzy_matching = match_query(self.searcher, tokens, fuzzy=True)
            fuzzy_query = self.combine(fuzzy, self.filters(ranked=True))
            # Started before the count says whether the typo-tolerant query finds more (it
            # nearly always does), so that they overlap it; dropped if it does not.
            fuzzy_hits = _pool.submit(self.page_of_hits, fuzzy_query, sort, fuzzy)
            fuzzy_facets, fuzzy_total = self.facet_counts(self.listed(fuzzy_matching, sort))
            if fuzzy_total > total:
                exact_total = total
                base, matching, query, facets, total, typo = (
                    fuzzy,
                    fuzzy_matching,
                    fuzzy_query,
                    fuzzy_facets,
                    fuzzy_total,
                    True,
                )
                hits = fuzzy_hits
            else:
                fuzzy_hits.cancel()
        self.base, self.matching = base, self.listed(matching, sort)
        flags = self.flag_counts(facets, total)
        hits = hits.result()
        return Results(
            hits=hits,
            total=total,
            facets=facets,
            flags=flags,
            sort=sort,
            near=self.near,
            near_error=near_error,
            typo_tolerant=typo,
            exact_total=exact_total,
            page=p.page,
            per_page=p.per_page,
        )

    def listed(self, matching, sort):
        """The matches a page lists, which its counts must count: sorted by distance, only
        the records with a place."""
        if sort != "distance":
            return matching
        return self.combine(matching, [tantivy.Query.exists_query("lat")])

    def page_of_hits(self, query, sort, base):
        """The requested page of hits, with snippets highlighting the words of `base`."""
        p = self.p
        offset = (p.page - 1) * p.per_page
        snippets = self.snippet_generators(base)
        if sort == "distance":
            return self.nearest(query, offset, p.per_page, snippets)
        options = {}
        if sort == "name":
            options = {"order_by_field": "name_order", "order": tantivy.Order.Asc}
        elif sort == "newest":
            options = {"order_by_field": "created", "order": tantivy.Order.Desc}
        # The facet counts gave the total already: not counting lets tantivy skip blocks.
        result = self.searcher.search(
            query, limit=p.per_page, offset=offset, count=False, **options
        )
        return [self.hit(score, address, snippets) for score, address in result.hits]

    def nearest(self, query, offset, limit, snippets):
        """Hits in order of distance: count matches per point, nearest points first."""
        need = offset + limit
        # Only located records have a distance (the counts count those alone: see listed()).
        located = self.combine(query, [tantivy.Query.exists_query("lat")])
        radius = self.p.within or 5
        while True:
            points = self.point_counts(self.combine(located, self.box(radius)))
            inside = [(d, pt, n) for d, pt, n in points if d <= radius]
            if sum(n for _, _, n in inside) >= need or radius >= (self.p.within or 1_500):
                break
            radius *= 3
        inside.sort()
        chosen, running = [], 0
        for d, pt, n in inside:
            chosen.append((d, pt, n))
            running += n
            if running >= need:
                break
        hits = []
        if chosen:
            # Records at one point come oldest first: an order that does not depend on which
            # points a page fetches, so pages neither repeat nor skip a record (scores would:
            # they differ with the query that fetched them).
            *whole, (_, last_pt, _) = chosen
            oldest_first = {"order_by_field": "created", "order": tantivy.Order.Asc}
            if whole:
                points = tantivy.Query.term_set_query(
                    self.schema, "point", [pt for _, pt, _ in whole]
                )
                found = self.searcher.search(
                    self.combine(query, [points]),
                    limit=sum(n for _, _, n in whole),
                    count=False,
                    **oldest_first,
                )
                hits.extend(self.hit(None, address, snippets) for _, address in found.hits)
            # Only as many from the last point as the page needs: it may hold thousands.
            point = tantivy.Query.term_query(self.schema, "point", last_pt)
            found = self.searcher.search(
                self.combine(query, [point]), limit=need - len(hits), count=False, **oldest_first
            )
            hits.extend(self.hit(None, address, snippets) for _, address in found.hits)
        for h in hits:
            h.distance_km = geo.distance_km(
                self.near.latitude, self.near.longitude, h.latitude, h.longitude
            )
        # Stable: at one point, the oldest-first order stays.
        hits.sort(key=lambda h: (h.distance_km, h.latitude, h.longitude))
        return hits[offset:need]

    def point_counts(self, query):
        """(distance, point, records) for each point the query's matches are at."""
        result = self.searcher.aggregate(
            query, {"p": {"terms": {"field": "point", "size": MAX_POINTS}}}
        )
        counts = []
        for bucket in result["p"]["buckets"]:
            lat, lon = (float(x) for x in bucket["key"].split(","))
            d = geo.distance_km(self.near.latitude, self.near.longitude, lat, lon)
            counts.append((d, bucket["key"], bucket["doc_count"]))
        return counts

    def hit(self, score, address, snippets):
        doc = self.searcher.doc(address)
        first = doc.get_first
        starts = first("starts")
        day = first("day")
        return Hit(
            kind=first("kind"),
            pk=first("pk"),
            name=first("name"),
            url=first("url"),
            summary=first("summary") or "",
            snippet=self.snippet(doc, snippets),
            subkind=first("subkind") or "",
            postcode=first("postcode") or "",
            latitude=first("lat"),
            longitude=first("lon"),
            starts=datetime.datetime.fromtimestamp(starts, datetime.UTC) if starts else None,
            score=score if isinstance(score, float) else 0.0,
            status=first("status") or "",
            day=datetime.date.fromordinal(day) if day else None,
        )

    def snippet_generators(self, base):
        generators = {}
        for name in ("summary", "description"):
            gen = tantivy.SnippetGenerator.create(self.searcher, base, self.schema, name)
            gen.set_max_num_chars(200)
            generators[name] = gen
        return generators

    def snippet(self, doc, snippets):
        """The summary, or else the description, with the matched words marked."""
        for name in ("summary", "description"):
            snip = snippets[name].snippet_from_doc(doc)
            if snip.highlighted():
                return snip.to_html()
        return ""

    def facet_counts(self, matching):
        """Counts per value of every facet group, and the total, in one aggregation over the
        matches: those within every chosen filter, and for each group with a choice made,
        those within the other choices, so its other values show what picking them too
        would add. Filter aggregations test each match against the chosen values, which
        costs less than one more pass over the matches for each set of choices. (A common
        kind filter adds one small aggregation: see below.)"""
        chosen = [g for g in FACET_GROUPS if getattr(self.p, g)]
        # The kind column is always read: every record has a value, so its buckets sum to
        # the total.
        columns = {"profile"} | {FACET_COLUMNS[g][0] for g in FACET_GROUPS if g not in chosen}
        rest = self.rarer_kinds()
        wanted = {}  # filter text: the columns counted within it
        # With most records of the chosen kinds, those are counted as the records within the
        # other filters less the few of the other kinds (each record has one kind): cheaper
        # than testing each match against a list of nearly every record.
        within = self.facet_filter(leave_out="type" if rest else None)
        wanted[within] = set(columns)
        for group in chosen:
            wanted.setdefault(self.facet_filter(leave_out=group), set()).add(
                FACET_COLUMNS[group][0]
            )
        # Counts within no choice at all are plain aggregations: a filter that lets every
        # match through still costs a test per match.
        request = {c: COLUMN_AGGREGATION[c] for c in wanted.pop("*", ())}
        names = {text: f"within{i}" for i, text in enumerate(wanted)}
        for text, cols in wanted.items():
            request[names[text]] = {
                "filter": text,
                "aggs": {c: COLUMN_AGGREGATION[c] for c in cols},
            }
        query = self.combine(matching, self.filters(groups=False))
        result = self.searcher.aggregate(query, request)

        def buckets(text, cols):
            counted = result[names[text]] if text in names else result
            return {c: counted[c]["buckets"] for c in cols}

        found = buckets(within, columns)
        if rest:
            # The few records of the other kinds are counted on their own: led by their short
            # list, that costs a fraction of a filter aggregation's test of every match.
            fewer = self.filters(leave_out="type") + [_any_of(self.schema, "facet", rest)]
            few = self.column_counts(self.combine(matching, fewer), columns)
            found = {c: _minus(found[c], few[c]) for c in columns}
        counts = {group: {} for group in FACET_GROUPS}
        _add_counts({g: counts[g] for g in FACET_GROUPS if g not in chosen}, found)
        for group in chosen:
            column = FACET_COLUMNS[group][0]
            within_others = self.facet_filter(leave_out=group)
            _add_counts({group: counts[group]}, buckets(within_others, {column}))
        return counts, sum(b["doc_count"] for b in found["profile"])

    def facet_filter(self, leave_out=None):
        """The chosen facet values (less one group's) as query text for a filter
        aggregation."""
        clauses = [
            _any_text(_facet_values(facet, getattr(self.p, group)))
            for group, facet in FACET_NAMES.items()
            if getattr(self.p, group) and group != leave_out
        ]
        return " AND ".join(clauses) or "*"

    def column_counts(self, query, columns):
        result = self.searcher.aggregate(query, {c: COLUMN_AGGREGATION[c] for c in columns})
        return {c: result[c]["buckets"] for c in columns}

    def flag_counts(self, facets, total):
        """How many results are open programmes (or run one) and upcoming events. The kind
        counts already show when none can be, which spares a pass over the results."""
        kinds = facets["type"] if not self.p.type else {k: 1 for k in self.p.type}
        providers = self.open_providers()  # always asked, so the page's query count is fixed
        possible = {
            "open": kinds.get("programme") or (kinds.get("organisation") and providers),
            "upcoming": kinds.get("event"),
        }
        counts = {}
        for flag, make in (("open", self.open_query), ("upcoming", self.upcoming_query)):
            if getattr(self.p, flag):
                counts[flag] = total  # the results are already just these
            elif not possible[flag]:
                counts[flag] = 0
            else:
                q = self.combine(self.matching, self.filters() + [make()])
                counts[flag] = self.searcher.search(q, limit=1, count=True).count
        return counts


def search(params, *, today=None, now=None):
    """Search every kind with `params` (a Params); the index is caught up with the database
    first, so what was just saved is found."""
    index = backend.search_index()
    searcher = index.ready()
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    return Search(searcher, params, today, now, state=index.state()).run()


def facet_labels():
    """Display names for facet values: kinds, sectors, stages and areas."""
    return {
        "type": backend.KIND_LABELS,
        "subkind": backend.SUBKIND_LABELS,
        "sector": dict(Sector.objects.values_list("slug", "name")),
        "stage": backend.stages(),
        "area": geo.LOCAL_AUTHORITY_NAMES,
    }


EMAIL = re.compile(r"\S+@\S+")
PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)


def gap_text(query):
    """A query as kept for the gap report: lower case, single spaces, no emails, phone
    numbers or full postcodes (they can identify a person), at most 100 characters."""
    text = EMAIL.sub(" ", query)
    text = PHONE.sub(" ", text)
    text = POSTCODE.sub(" ", text)
    return " ".join(text.lower().split())[:100]
