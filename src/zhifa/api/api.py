"""The API object, its authentication and its error format: every error is a JSON body
``{"detail": "<中文说明>"}`` — 400 invalid data, 401 not authenticated, 403 not allowed, 404
missing or not readable (the same answer for both)."""

from __future__ import annotations

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from .auth import AUTH
from .routers import case_records, cases, laws, powers, publicity, registry, review, supervision

api = NinjaAPI(
    title="zhifa API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    description="行政执法“三项制度”平台接口。认证：登录会话（写操作须带 CSRF 令牌）或"
    " `Authorization: Bearer <令牌>`。",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"detail": "；".join(exc.messages)}, status=400)


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError):
    return api.create_response(
        request, {"detail": "请求数据格式有误。", "errors": exc.errors}, status=400
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig):
    # A JSON or form body over DATA_UPLOAD_MAX_MEMORY_SIZE (file parts of a multipart body do
    # not count, nor does a chunk read from the stream): JSON like every other error.
    message = "提交的内容过大，超出了系统允许的大小。文件请以 multipart 上传，大文件请分片上传。"
    return api.create_response(request, {"detail": message}, status=400)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_many(request: HttpRequest, exc: Exception):
    return api.create_response(request, {"detail": "提交的字段或文件过多。"}, status=400)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": str(exc) or "您没有执行此操作的权限。"}, status=403
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    message = str(exc)
    if not message or message.startswith("No ") or "matches the given query" in message:
        message = "未找到该记录。"
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": "未登录，或接口令牌无效、已停用。"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/", registry.router)
api.add_router("/", laws.router)
api.add_router("/", powers.router)
api.add_router("/", cases.router)
api.add_router("/", case_records.router)
api.add_router("/", review.router)
api.add_router("/", publicity.router)
api.add_router("/", supervision.router)
