"""What every API resource shares: strong ETags and conditional requests (RFC 9110 §13),
Idempotency-Key on POST, and cursor pagination for syncing (page_size, updated_since)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import FileResponse
from django.http.request import RawPostDataException
from rest_framework import exceptions, generics, pagination, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dpa_portal.errors import ValidationFailed
from ratings.models import Organization, User
from ratings.services import idempotency

REPLAYED_HEADERS = ("Location", "ETag")

Rows = TypeVar("Rows", bound=QuerySet[Any])
Body = TypeVar("Body", bound=serializers.Serializer)


def etag_of(data: Any) -> str:
    """A strong validator: the hash of the representation itself, so it changes exactly when
    what the client would read changes (whatever row or related row changed it)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return _tag_of(canonical.encode())


def _tag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = "Send If-Match with the ETag of the representation you last read (or * to skip the check)."


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_code = "precondition_failed"
    default_detail = "The resource changed since you read it (its ETag differs); read it again and retry."


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used with another request body; use a new key for a new request."


class IdempotencyInProgress(exceptions.APIException):
    status_code = 409
    default_code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry in a moment."


class _Replay(Exception):
    def __init__(self, response: Response):
        self.response = response


class PageQuery(serializers.Serializer):
    """Query parameters every list takes."""

    cursor = serializers.CharField(required=False, help_text="Opaque cursor from `next` or `previous`.")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=200, help_text="Items per page, 1-200 (default 50)."
    )


class ListQuery(PageQuery):
    """…and lists of things that change: what changed since the last sync."""

    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only items changed at or after this time (ISO 8601 with zone). Items come oldest change "
        "first, so a client syncing pages never misses one that changes while it reads.",
    )


class CursorPages(pagination.CursorPagination):
    """Oldest change first; a row changed while a client pages through moves to the end (and
    is read again), so pages never shift under the reader."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("updated_at", "pk")

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": ["This cursor is not one the API gave out."]}) from None


class FeedPages(CursorPages):
    """For a feed that is polled: `next` is always given, so a client keeps its place. On the
    last page it points after the last item; on an empty page it is the address just asked."""

    def get_next_link(self) -> str | None:
        if self.has_next:
            return super().get_next_link()
        if not self.page:
            return str(self.base_url)
        # After the last item (feeds are ordered by their unique id, so no offset is needed).
        position = self._get_position_from_instance(self.page[-1], self.ordering)
        cursor = pagination.Cursor(offset=0, reverse=False, position=position)  # type: ignore[arg-type]
        return str(self.encode_cursor(cursor))


class ApiView(generics.GenericAPIView):
    # Parse input, call one service, render; plus the HTTP semantics above. (A comment, not a
    # docstring: drf-spectacular would publish a docstring as the description of every operation
    # that gives none.)

    pagination_class: type[pagination.BasePagination] | None = CursorPages
    metadata_class = None  # OPTIONS is not part of the contract: 405 (it described no input usefully)
    list_query: type[serializers.Serializer] = ListQuery
    cursor_ordering: tuple[str, ...] = ("updated_at", "pk")
    lists = False  # GET answers with a page: it takes `list_query`'s parameters, and no others
    _claim: Any = None
    _params: dict[str, Any] | None = None

    # --- reading ---------------------------------------------------------------------------

    def query(self) -> dict[str, Any]:
        """The validated query parameters (400 problem when one is wrong), checked once a call."""
        if self._params is None:
            raw = self.request.query_params.dict()
            known = None if raw else _without_parameters(self.list_query)
            if known is None:
                checked = self.list_query(data=raw)
                checked.is_valid(raise_exception=True)
                known = dict(checked.validated_data)
            self._params = known
        return dict(self._params)

    def filtered(self, queryset: Rows, *names: str) -> Rows:
        """`queryset` narrowed by each of these query parameters the call gives (a parameter is
        named as the field it filters)."""
        params = self.query()
        for name in names:
            if params.get(name):
                queryset = queryset.filter(**{name: params[name]})
        return queryset

    def paged(
        self,
        queryset: QuerySet[Any],
        serializer: type[serializers.BaseSerializer] | Callable[[list[Any]], list[dict[str, Any]]],
    ) -> Response:
        """One page of `queryset`, rendered by the serializer, or by a function of the page's
        rows (a list read as `.values()` builds no model instances)."""
        params = self.query()
        if params.get("updated_since"):
            queryset = queryset.filter(updated_at__gte=params["updated_since"])
        page = list(self.paginate_queryset(queryset) or [])
        if isinstance(serializer, type):
            return self.get_paginated_response(serializer(page, many=True, context={"request": self.request}).data)
        return self.get_paginated_response(serializer(page))

    def representation(self, data: Any, code: int = status.HTTP_200_OK, *, location: str = "") -> Response:
        response = Response(data, status=code)
        response["ETag"] = etag_of(data)
        if location:
            response["Location"] = self.request.build_absolute_uri(location)
        return response

    # --- changing --------------------------------------------------------------------------

    def parsed(self, serializer: type[Body]) -> Body:
        """The request body as `serializer` checked it (a 400 problem naming each wrong field)."""
        checked = serializer(data=self.request.data)
        checked.is_valid(raise_exception=True)
        return checked

    def check_match(self, current: Any) -> None:
        """If-Match is required on a change: 428 without it, 412 when it names another state."""
        header = self.request.headers.get("If-Match")
        if header is None:
            raise PreconditionRequired()
        tags = _tags(header)
        if "*" in tags:
            return
        if etag_of(current) not in tags:  # strong comparison: a weak W/"…" tag never matches
            raise PreconditionFailed()

    @property
    def actor(self) -> User:
        # IsAuthenticated (the default permission class) guarantees a real user here.
        return cast(User, self.request.user)

    # --- the request cycle -----------------------------------------------------------------

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self._claim = None
        self._params = None
        method = (request.method or "").lower()
        if method not in self.http_method_names or getattr(self, method, None) is None:
            return  # not an operation of this resource: the handler answers 405
        allowed = _parameters(self.list_query) if self.lists and request.method == "GET" else frozenset()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:  # a misspelt filter would otherwise silently return everything
            raise exceptions.ValidationError({name: ["Not a parameter of this operation."] for name in unknown})
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None:
            return
        if not idempotency.KEY_PATTERN.fullmatch(key) or len(key) > idempotency.KEY_MAX_LENGTH:
            raise exceptions.ValidationError(
                {"Idempotency-Key": ["Use 1-255 printable ASCII characters, e.g. a UUID."]}
            )
        claim = idempotency.idempotency_claim(
            user=self.actor,
            key=key,
            fingerprint=idempotency.fingerprint(method="POST", path=request.get_full_path(), body=_body(request)),
        )
        if claim.mismatch:
            raise IdempotencyKeyReused()
        if claim.in_progress:
            raise IdempotencyInProgress()
        if claim.replay is not None:
            stored = claim.replay
            headers = dict(stored.headers or {})
            replay = Response(
                stored.body, status=stored.status_code or 200, content_type=headers.pop("Content-Type", None)
            )
            for name, value in headers.items():
                replay[name] = value
            replay["Idempotent-Replayed"] = "true"
            raise _Replay(replay)
        self._claim = claim.record

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._claim is not None:
            body = json.loads(json.dumps(getattr(response, "data", None), cls=DjangoJSONEncoder))
            headers = {name: response[name] for name in REPLAYED_HEADERS if name in response}
            if getattr(response, "content_type", None):  # problem+json, set before rendering
                headers["Content-Type"] = response.content_type
            idempotency.idempotency_store(
                record=self._claim, status_code=response.status_code, body=body, headers=headers
            )
            self._claim = None
        if request.method == "GET" and response.status_code == 200 and isinstance(response, Response):
            if "ETag" not in response:
                # A page's validator is the hash of its body as sent: rendered once, not encoded
                # a second time for the hash. (A resource keeps etag_of, which If-Match compares.)
                response.render()
                response["ETag"] = _tag_of(response.content)
            if (
                response["ETag"] in _tags(request.headers.get("If-None-Match", ""))
                or request.headers.get("If-None-Match", "").strip() == "*"
            ):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
                not_modified["ETag"] = response["ETag"]
                not_modified.accepted_renderer = response.accepted_renderer
                not_modified.accepted_media_type = response.accepted_media_type
                not_modified.renderer_context = response.renderer_context  # type: ignore[attr-defined]
                return not_modified
        return response


Resource = TypeVar("Resource")


# No docstrings on these two classes: drf-spectacular would publish one as the description of
# every operation below them that gives none of its own, and the schema is the contract.
class ResourceView(ApiView, Generic[Resource]):
    # One resource named by a key in its URL (a reference, a number, an id). A view says only how
    # the caller finds it (`load`: 404 for what the caller may not see) and what the caller reads
    # of it (`data`, whose hash is its ETag); the If-Match check before a change and the answer
    # after one are the same for every resource.

    def load(self, key: Any) -> Resource:
        raise NotImplementedError

    def data(self, resource: Resource) -> Any:
        raise NotImplementedError

    def current(self, key: Any) -> Resource:
        """Load the resource and check If-Match against the representation the caller last read."""
        resource = self.load(key)
        self.check_match(self.data(resource))
        return resource

    def fresh(self, key: Any, code: int = status.HTTP_200_OK, *, location: str = "") -> Response:
        """The resource read again (as a change left it), with its ETag."""
        return self.representation(self.data(self.load(key)), code, location=location)


class ResourceAction(ResourceView[Resource]):
    # POST one action on a resource: If-Match first, then the body (`input_serializer`, if the
    # action takes one), then one service (`perform`); the answer is the resource as it now is.
    # Each action's view declares its own `post` (for its schema) and calls this one.
    input_serializer: type[serializers.Serializer] | None = None

    def perform(self, resource: Resource, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def answer(self, key: Any, result: Any) -> Response:
        """What the action returns, given what `perform` returned."""
        return self.fresh(key)

    def post(self, request: Request, key: Any) -> Response:
        resource = self.current(key)
        data: dict[str, Any] = {}
        if self.input_serializer is not None:
            data = dict(self.parsed(self.input_serializer).validated_data)
        return self.answer(key, self.perform(resource, data))


def stored_file(handle: Any, *, filename: str, content_type: str, sha256: str | None = None) -> FileResponse:
    """A stored file as a download; its ETag is its content's SHA-256 where that is kept. (Never
    sniffed as another type: SecurityMiddleware sends nosniff on every response.)"""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    if sha256 is not None:
        response["ETag"] = f'"{sha256[:32]}"'
    return response


def named_or_only(organizations: QuerySet[Organization], named: int | None, several: str) -> Organization | None:
    """The organization the caller named among `organizations`, else its only one: None when there
    is none (the service then refuses, audited); `several` is the 400 when it has more and named none."""
    if named is not None:
        return organizations.filter(pk=named).first()
    candidates = list(organizations[:2])
    if len(candidates) > 1:
        raise ValidationFailed(several, field="organization")
    return candidates[0] if candidates else None


@functools.cache
def _without_parameters(query: type[serializers.Serializer]) -> dict[str, Any] | None:
    """What a query validates to when a call gives no parameter, validated once per class (the
    same every time while no field's default is computed); None when that is not valid."""
    checked = query(data={})
    computed = any(f.default is not serializers.empty and callable(f.default) for f in checked.fields.values())
    if computed or not checked.is_valid():
        return None
    return dict(checked.validated_data)


@functools.cache
def _parameters(query: type[serializers.Serializer]) -> frozenset[str]:
    """The names a list's query serializer takes (its fields are fixed per class)."""
    return frozenset(query().fields)


def _body(request: Request) -> bytes:
    """The raw body, or for a multipart upload (already parsed) its fields and files' hashes."""
    try:
        return request._request.body
    except RawPostDataException:
        digest = hashlib.sha256()
        for name, values in sorted(request._request.POST.lists()):
            digest.update(json.dumps([name, values]).encode())
        for name, uploads in sorted(request._request.FILES.lists()):
            for upload in uploads:
                content = hashlib.sha256(b"".join(upload.chunks())).hexdigest()
                digest.update(json.dumps([name, upload.name, upload.size, content]).encode())
        return digest.hexdigest().encode()
