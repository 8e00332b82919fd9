"""Chinese error pages; no traceback ever reaches a user."""

from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有访问此页面的权限。"
    return render(request, "errors/403.html", {"message": message}, status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
