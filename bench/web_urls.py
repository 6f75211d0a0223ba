"""The product's URLs plus `/bench/floor/`: a login-required view rendering a small template through the
same middleware stack (session and user: 2 queries) — what no page can be faster than."""

from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import path

from config.urls import handler500 as product_handler500
from config.urls import urlpatterns as product
from daiban.common.access import signed_in

FLOOR = Template(
    "<!doctype html><title>floor</title><p>{{ user.username }} {% for i in r %}{{ i }}{% endfor %}</p>"
)


@signed_in
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR.render(Context({"user": request.user, "r": range(20)})))


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *product]
handler500 = product_handler500  # the product's error pages (the 503 when the database is gone)
