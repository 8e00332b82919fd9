"""Chinese error pages; no traceback ever reaches a user."""

from django.shortcuts import render


def bad_request(request, exception=None):
    # Django raises RequestDataTooBig / TooManyFieldsSent before any view runs: say so in
    # Chinese rather than the bare English "Bad Request (400)".
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, RequestDataTooBig):
        message = "提交的内容过大，超出了系统允许的大小。"
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = "提交的字段或文件过多。"
    else:
        message = "请求格式有误。"
    return render(request, "errors/400.html", {"message": message}, status=400)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有访问此页面的权限。"
    return render(request, "errors/403.html", {"message": message}, status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
