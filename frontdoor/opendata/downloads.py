"""CSV and JSON downloads of each kind: /organisations.csv?sector=ai, /events.json?when=past.

Same FilterSet and allow-list as the API, every matching record, streamed in chunks so a
million rows never sit in memory.
"""

import csv

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from frontdoor.opendata.fields import KINDS
from frontdoor.opendata.meta import OpenDataViewMixin, response_meta

CHUNK = 1000
# A cell starting with one of these runs as a formula in Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """One value as RFC 4180 text: lists joined, ISO 8601 dates, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str):
        if value.startswith(FORMULA_STARTS):
            # A leading apostrophe makes spreadsheets show the text instead of running it.
            return "'" + value
        return value
    return str(value)


class Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a stream."""

    def write(self, value):
        return value


class AnyFormat(BaseContentNegotiation):
    """Downloads pick their own format from the URL, whatever the Accept header says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Download(OpenDataViewMixin, APIView):
    """Every published record of a kind that matches the query string, as CSV or JSON."""

    content_negotiation_class = AnyFormat

    @extend_schema(exclude=True)
    def get(self, request, kind, fmt):
        try:
            spec = KINDS[kind]
        except KeyError:
            raise Http404("No such kind") from None
        filterset = spec.filterset(request.GET, queryset=spec.queryset(), request=request)
        if not filterset.is_valid():
            return Response(
                {"detail": "Some filters in this query don't exist.", "errors": filterset.errors},
                status=400,
            )
        queryset = filterset.qs
        if spec.name != "events":
            queryset = queryset.order_by("name", "pk")
        rows = self._rows(spec, queryset, request)
        stamp = timezone.localdate().isoformat()
        if fmt == "csv":
            response = StreamingHttpResponse(
                self._csv(spec, rows), content_type="text/csv; charset=utf-8; header=present"
            )
        else:
            query = request.GET.urlencode()
            page = reverse(spec.html_list_url_name) + (f"?{query}" if query else "")
            meta = response_meta(request, page)
            response = StreamingHttpResponse(
                self._json(meta, queryset.count(), rows), content_type="application/json"
            )
        response["Content-Disposition"] = f'attachment; filename="{spec.name}-{stamp}.{fmt}"'
        # The licence travels with the file's HTTP answer as well as on the open-data page.
        meta = response_meta(request, "/")
        response["Link"] = f'<{meta["licence"]["url"]}>; rel="license"'
        return response

    @staticmethod
    def _rows(spec, queryset, request):
        serializer = spec.serializer(context={"request": request})
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield serializer.to_representation(obj)

    @staticmethod
    def _csv(spec, rows):
        writer = csv.writer(Echo())  # the csv module's defaults are RFC 4180 (CRLF, quoting)
        yield writer.writerow(list(spec.serializer().fields))
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row.values()])

    @staticmethod
    def _json(meta, count, rows):
        encoder = DjangoJSONEncoder(ensure_ascii=False)
        yield '{"meta": ' + encoder.encode(meta) + f', "count": {count}, "results": ['
        for i, row in enumerate(rows):
            yield ("," if i else "") + "\n" + encoder.encode(row)
        yield "\n]}\n"
