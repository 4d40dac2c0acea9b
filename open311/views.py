"""GeoReport v2 endpoints. Each view is parse → access → action → render; `endpoint` wraps them with
the checks every method shares (format extension, jurisdiction_id, api_key, rate limit) and turns
every refusal — the platform's one error type, `core.errors.DomainError`, whichever layer raised it —
into the spec's error format with the error's own HTTP status, never the platform's JSON envelope."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from core import ratelimit
from core.errors import DomainError, NotFound, PermissionRefused
from core.replica import reading_replica
from open311 import conf, parsing, selectors
from open311.actions import do_submit_request
from open311.models import ApiKey
from open311.parsing import MEDIA_FIELD
from open311.render import FORMATS, XML, error_response, respond

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
# The event intake's field names → the GeoReport parameter a client sent.
PARAMETER_OF = {
    "lon": "long",
    "lat": "lat",
    "reporter_phone": "phone",
    "reporter_name": "last_name",
    "photos": MEDIA_FIELD,
    "media_urls": "media_url",
    "category_code": "service_code",
    "address": "address_string",
    "grid_code": "address_id",
}


def refusal(fmt: str, error: DomainError) -> HttpResponse:
    """A DomainError in the spec's error format, with its own status (not found 404, refused 403,
    conflict 409, unprocessable 422, rate limited 429 with Retry-After, bad input 400). Bad input names
    the GeoReport parameter once — the intake's field under its GeoReport name (`lon` is `long`) —
    ahead of the message unless the message already starts with it."""
    description = error.message
    if error.field and error.status in (400, 422):
        parameter = PARAMETER_OF.get(error.field, error.field)
        if not description.startswith(parameter):
            description = f"{parameter}: {description}"
    response = error_response(fmt, error.status, description)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _param(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    return (value if value is not None else request.GET.get(name, "")).strip()


def _consume(api_key: ApiKey, now: datetime) -> ratelimit.Verdict:
    """One request against the key's hourly limit, in the shared cache; a refused one is not counted."""
    return ratelimit.hit(
        "open311-key",
        str(api_key.pk),
        limit=api_key.rate_limit_per_hour,
        window=timedelta(hours=1),
        now=now,
        count_refused=False,
    )


def _check_jurisdiction(request: HttpRequest) -> None:
    given = _param(request, "jurisdiction_id")
    expected = conf.jurisdiction_id()
    if given and expected and given != expected:
        raise NotFound(
            f"jurisdiction_id {given} was not found（本接口只服务 {expected}）", field="jurisdiction_id"
        )


def _authenticate(request: HttpRequest, *, required: bool) -> ApiKey | None:
    raw = _param(request, "api_key")
    if not raw:
        if required:
            raise PermissionRefused(
                "not_allowed", "api_key was not provided（缺少 api_key）", field="api_key"
            )
        return None
    api_key = selectors.key_for(raw)
    if api_key is None:
        raise PermissionRefused(
            "not_allowed", "api_key is invalid or has been revoked（api_key 无效或已吊销）", field="api_key"
        )
    return api_key


def endpoint(*, methods: tuple[str, ...], key_required_for: tuple[str, ...] = ()) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return error_response(XML, 404, f"format .{fmt} is not supported; use .xml or .json")
            if request.method not in methods:
                response = error_response(fmt, 405, f"method {request.method} is not allowed here")
                response["Allow"] = ", ".join(methods)
                return response
            now = timezone.now()
            try:
                _check_jurisdiction(request)
                api_key = _authenticate(request, required=request.method in key_required_for)
                headers: dict[str, str] = {}
                if api_key is not None:
                    verdict = _consume(api_key, now)
                    headers = {
                        "X-RateLimit-Limit": str(verdict.limit),
                        "X-RateLimit-Remaining": str(verdict.remaining),
                    }
                    if not verdict.allowed:
                        raise ratelimit.RateLimited(
                            "rate_limited",
                            f"rate limit of {verdict.limit} requests per hour exceeded for this api_key"
                            f"（超过每小时 {verdict.limit} 次的上限）",
                            verdict.retry_after_seconds(now),
                        )
                response = view(request, *args, fmt=fmt, now=now, api_key=api_key, **kwargs)
                for name, value in headers.items():
                    response[name] = value
                return response
            except DomainError as exc:
                return refusal(fmt, exc)

        return wrapper

    return decorate


@endpoint(methods=("GET",))
def discovery(request: HttpRequest, *, fmt: str, **_: Any) -> HttpResponse:
    url = request.build_absolute_uri("/open311/v2/")
    return respond(fmt, "discovery", selectors.discovery_document(url))


@endpoint(methods=("GET",))
def service_list(request: HttpRequest, *, fmt: str, **_: Any) -> HttpResponse:
    documents = [selectors.service_document(service) for service in selectors.services()]
    return respond(fmt, "services", documents)


@endpoint(methods=("GET",))
def service_definition(request: HttpRequest, service_code: str, *, fmt: str, **_: Any) -> HttpResponse:
    category = selectors.service_for(service_code)
    document = selectors.definition_document(category, selectors.attributes_of(category))
    return respond(fmt, "service_definition", document)


@endpoint(methods=("GET", "POST"), key_required_for=("POST",))
def requests(request: HttpRequest, *, fmt: str, now: Any, api_key: ApiKey | None, **_: Any) -> HttpResponse:
    if request.method == "POST":
        assert api_key is not None
        submission = parsing.parse_submission(request)
        event, token = do_submit_request(submission, api_key=api_key, now=now)
        document = [
            {
                "service_request_id": event.receipt_number,
                "token": token.token,
                "service_notice": selectors.service_notice(event),
                "account_id": submission.account_id or None,
            }
        ]
        return respond(fmt, "service_requests", document)
    query = parsing.parse_request_query(request)
    with reading_replica():  # a poll: the replica's second of lag is fine
        events = selectors.find_requests(query, now=now)
        documents = selectors.request_documents(events, request.build_absolute_uri)
    return respond(fmt, "service_requests", documents)


@endpoint(methods=("GET",))
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str, **_: Any) -> HttpResponse:
    event = selectors.event_for_request_id(service_request_id)
    return respond(fmt, "service_requests", selectors.request_documents([event], request.build_absolute_uri))


@endpoint(methods=("GET",))
def token_detail(request: HttpRequest, token: str, *, fmt: str, **_: Any) -> HttpResponse:
    return respond(fmt, "service_requests", [selectors.token_document(selectors.token_for(token))])


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/ (a path without a format extension, an unknown resource)."""
    fmt = "json" if path.lower().endswith(".json") else XML
    return error_response(fmt, 404, f"{request.path} is not a GeoReport v2 resource")
