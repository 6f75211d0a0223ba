"""Every URL carries an explicit permission rule (daiban.common.access); the admin guards itself."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from daiban.accounts import views as accounts
from daiban.api import views as api_views
from daiban.api.api import api
from daiban.common.access import public
from daiban.common.views import healthz, readyz
from daiban.portal import views as portal
from daiban.projects.views import sign_up

admin.site.site_header = admin.site.site_title = "帮代办服务平台管理"
handler500 = "daiban.common.views.server_error"

urlpatterns = [
    path("", portal.landing, name="landing"),
    path("home/", portal.home, name="home"),
    path("accounts/login/", accounts.sign_in, name="login"),
    path("accounts/logout/", accounts.sign_out, name="logout"),
    path("accounts/register/", sign_up, name="sign_up"),
    path("accounts/", include("daiban.accounts.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", portal.metrics, name="metrics"),
    path("operations/", portal.operations_status, name="operations_status"),
    path("catalogue/", include("daiban.catalogue.urls")),
    path("requests/", include("daiban.cases.urls")),
    path("notifications/", include("daiban.notifications.urls")),
    path("oversight/", include("daiban.oversight.urls")),
    path("feedback/", include("daiban.feedback.urls")),
    path("assistance/", include("daiban.assistance.urls")),
    path("plans/", include("daiban.planning.urls")),
    path("promises/", include("daiban.service_levels.urls")),
    path("organizations/", include("daiban.organizations.urls")),
    path("", include("daiban.projects.urls")),
    path("api/v1/docs/", api_views.docs, name="api_docs"),
    path("api/conflicts/", api_views.event_conflicts, name="api_conflicts"),
    path("api/v1/", api.urls),
    path("admin/login/", accounts.admin_sign_in, name="admin_sign_in"),
    path("admin/logout/", accounts.sign_out, name="admin_sign_out"),
    path("admin/", admin.site.urls),
]
