"""The read API under /api/v1/: a list and a detail per public kind, with the HTML pages'
FilterSets, so /api/v1/events?sector=ai answers exactly what /events/?sector=ai shows."""

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from frontdoor.directory.models import Role, Sector, Stage
from frontdoor.opendata.fields import KINDS, absolute_url
from frontdoor.opendata.meta import OpenDataViewMixin, response_meta

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()


class SourceSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The hub that publishes this data.")
    url = serializers.URLField(help_text="The human page this response is the twin of.")


class MetaSerializer(serializers.Serializer):
    licence = LicenceSerializer()
    attribution = serializers.CharField(help_text="Credit line to show beside reused data.")
    source = SourceSerializer()
    api_version = serializers.CharField()
    stability = serializers.URLField(help_text="The written promise about these keys.")


@extend_schema_serializer(many=False)
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per query parameter, what was wrong with it.",
    )


def list_envelope(kind):
    return extend_schema_serializer(many=False)(
        type(
            f"{kind.serializer.__name__.removesuffix('Serializer')}Page",
            (serializers.Serializer,),
            {
                "meta": MetaSerializer(),
                "count": serializers.IntegerField(help_text="Matches across all pages."),
                "page": serializers.IntegerField(),
                "per_page": serializers.IntegerField(),
                "total_pages": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": kind.serializer(many=True),
            },
        )
    )


def detail_envelope(kind):
    return extend_schema_serializer(many=False)(
        type(
            f"{kind.serializer.__name__.removesuffix('Serializer')}Detail",
            (serializers.Serializer,),
            {"meta": MetaSerializer(), "result": kind.serializer()},
        )
    )


RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before asking again.",
)
BAD_REQUEST = (
    "JSON naming each filter value that does not exist; or, for a query string too long or "
    "unreadable to parse, the site's HTML error page."
)
ERRORS = {
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: see Retry-After."),
    # The site-wide guard (core.middleware) answers overlong or unreadable query strings
    # before any view runs, with the site's HTML error page.
    (400, "text/html"): OpenApiResponse(OpenApiTypes.STR, description=BAD_REQUEST),
}


def filter_parameters(filterset_class):
    """The FilterSet's fields as OpenAPI query parameters, so the schema matches the pages."""
    parameters = []
    for name, field in filterset_class.base_filters.items():
        description = str(field.label or name)
        choices = getattr(field.extra.get("choices"), "__iter__", None) and [
            value for value, _ in field.extra["choices"]
        ]
        if isinstance(field, django_filters.BooleanFilter):
            schema_type, many = OpenApiTypes.BOOL, False
            # A checkbox's "on" is also read as true, and 0, no and off as false.
            plural = filterset_class._meta.model._meta.verbose_name_plural
            description += f" (true or false; false, like leaving it out, lists all {plural})"
        else:
            schema_type = OpenApiTypes.STR
            many = isinstance(
                field,
                django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter,
            )
        parameters.append(
            OpenApiParameter(
                name,
                schema_type,
                OpenApiParameter.QUERY,
                many=many,
                enum=choices or None,
                description=description
                + (" (slugs; repeat the parameter for any of several)" if many else ""),
            )
        )
    parameters += [
        OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="From 1."),
        OpenApiParameter(
            "per_page",
            OpenApiTypes.INT,
            OpenApiParameter.QUERY,
            description=f"Results per page, up to {MAX_PAGE_SIZE} (default {PAGE_SIZE}).",
        ),
    ]
    return parameters


class Pagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "per_page"
    max_page_size = MAX_PAGE_SIZE

    # DRF builds these from the request's host; behind a proxy that is the internal one, so
    # start from absolute_url() as every other link in the answer does.
    def get_next_link(self):
        if not self.page.has_next():
            return None
        return replace_query_param(
            self._here(), self.page_query_param, self.page.next_page_number()
        )

    def get_previous_link(self):
        if not self.page.has_previous():
            return None
        number = self.page.previous_page_number()
        if number == 1:
            return remove_query_param(self._here(), self.page_query_param)
        return replace_query_param(self._here(), self.page_query_param, number)

    def _here(self):
        return absolute_url(self.request, self.request.get_full_path())


class ApiView(OpenDataViewMixin, APIView):
    """Base for the API: JSON, open CORS, rate limited."""

    kind = None


class ListingList(ApiView):
    """A page of one kind's published records, filtered as its HTML list is."""

    def get(self, request):
        kind = self.kind
        filterset = kind.filterset(request.GET, queryset=kind.queryset(), request=request)
        if not filterset.is_valid():
            return Response(
                {"detail": "Some filters in this query don't exist.", "errors": filterset.errors},
                status=400,
            )
        queryset = filterset.qs
        if kind.name != "events":  # events keep the calendar's order (soonest first)
            queryset = queryset.order_by("name", "pk")
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        html_path = reverse(kind.html_list_url_name)
        query = request.GET.urlencode()
        return Response(
            {
                "meta": response_meta(request, html_path + (f"?{query}" if query else "")),
                "count": paginator.page.paginator.count,
                "page": paginator.page.number,
                "per_page": paginator.page.paginator.per_page,
                "total_pages": paginator.page.paginator.num_pages,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": kind.serializer(page, many=True, context={"request": request}).data,
            }
        )


class ListingDetail(ApiView):
    """One published record, or an archived one where its kind keeps archived records open."""

    def get(self, request, slug):
        obj = get_object_or_404(self.kind.detail_queryset(), slug=slug)
        return Response(
            {
                "meta": response_meta(request, obj.get_absolute_url()),
                "result": self.kind.serializer(obj, context={"request": request}).data,
            }
        )


def list_view(kind):
    # A fresh function per kind: extend_schema marks the function, and the base's is shared.
    def get(self, request):
        return ListingList.get(self, request)

    view = type(f"{kind.model.__name__}ApiList", (ListingList,), {"kind": kind, "get": get})
    view.get = extend_schema(
        operation_id=f"{kind.name}_list",
        summary=f"{kind.label}: list",
        description=f"Published {kind.name}, filtered with the same query string as "
        f"the {kind.name} page.",
        tags=[kind.name],
        parameters=[*filter_parameters(kind.filterset), RETRY_AFTER],
        responses={
            200: list_envelope(kind),
            (400, "application/json"): OpenApiResponse(ErrorSerializer, description=BAD_REQUEST),
            404: OpenApiResponse(ErrorSerializer, description="No such page number."),
            **ERRORS,
        },
    )(view.get)
    return view.as_view()


def detail_view(kind):
    def get(self, request, slug):
        return ListingDetail.get(self, request, slug)

    view = type(f"{kind.model.__name__}ApiDetail", (ListingDetail,), {"kind": kind, "get": get})
    view.get = extend_schema(
        operation_id=f"{kind.name}_detail",
        summary=f"{kind.label}: one record",
        tags=[kind.name],
        parameters=[
            OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH),
            RETRY_AFTER,
        ],
        responses={
            200: detail_envelope(kind),
            404: OpenApiResponse(ErrorSerializer, description="No public record by that slug."),
            **ERRORS,
        },
    )(view.get)
    return view.as_view()


class TermSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The value to use in ?sector=, ?stage= or ?role=.")
    name = serializers.CharField()
    description = serializers.CharField()


@extend_schema_serializer(many=False)
class TermListSerializer(serializers.Serializer):
    meta = MetaSerializer()
    count = serializers.IntegerField()
    results = TermSerializer(many=True)


TAXONOMIES = {"sectors": Sector, "stages": Stage, "roles": Role}


class TermList(ApiView):
    """Every term of one taxonomy: the values the lists' filters accept."""

    model = None

    def get(self, request):
        terms = list(self.model.objects.all())
        return Response(
            {
                "meta": response_meta(request, reverse("opendata:index")),
                "count": len(terms),
                "results": TermSerializer(terms, many=True).data,
            }
        )


def term_view(name, model):
    def get(self, request):
        return TermList.get(self, request)

    view = type(f"{model.__name__}ApiList", (TermList,), {"model": model, "get": get})
    view.get = extend_schema(
        operation_id=f"{name}_list",
        summary=f"{name.capitalize()}: every term",
        description=f"The {name} a list can be filtered by (slugs), in display order.",
        tags=["taxonomies"],
        parameters=[RETRY_AFTER],
        responses={200: TermListSerializer, **ERRORS},
    )(view.get)
    return view.as_view()


@extend_schema_serializer(many=False)
class IndexSerializer(serializers.Serializer):
    meta = MetaSerializer()
    openapi = serializers.URLField()
    docs = serializers.URLField()
    open_referral = serializers.URLField()
    kinds = serializers.DictField(child=serializers.DictField(child=serializers.URLField()))
    taxonomies = serializers.DictField(child=serializers.URLField())


class ApiIndex(ApiView):
    """Where everything is: each kind's list, the schema, the docs and the downloads."""

    @extend_schema(
        operation_id="index",
        summary="Index of the API",
        parameters=[RETRY_AFTER],
        responses={
            200: IndexSerializer,
            **ERRORS,
        },
    )
    def get(self, request):
        def url(name, *args):
            return absolute_url(request, reverse(name, args=args))

        return Response(
            {
                "meta": response_meta(request, reverse("opendata:index")),
                "openapi": url("opendata:api-schema"),
                "docs": url("opendata:index"),
                "open_referral": url("opendata:oruk-root"),
                "kinds": {
                    name: {
                        "api": url(f"opendata:api-{name}-list"),
                        "page": url(kind.html_list_url_name),
                        "csv": url(f"opendata:download-{name}-csv"),
                        "json": url(f"opendata:download-{name}-json"),
                    }
                    for name, kind in KINDS.items()
                },
                "taxonomies": {name: url(f"opendata:api-{name}") for name in TAXONOMIES},
            }
        )


class SchemaView(OpenDataViewMixin, SpectacularJSONAPIView):
    """The OpenAPI 3 document for /api/v1/, generated from the views above."""
