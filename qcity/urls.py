from importlib import import_module

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from qcity.core.accounts import ApiPasswordChangeView, ObtainTokenView
from qcity.core.api import register_api
from qcity.core.errors import api_docs_view

router = DefaultRouter()
register_api(router)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs_view(), name="api-docs"),
    path("api/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/password/", ApiPasswordChangeView.as_view(), name="api-password"),
    path("api/", include(router.urls)),
]
for app in settings.INSTALLED_APPS:
    if app.startswith("qcity.") and app != "qcity.core":
        label = app.split(".")[1]
        try:
            import_module(f"{app}.urls")
        except ModuleNotFoundError:
            continue
        urlpatterns.append(path(f"{label}/", include(f"{app}.urls", namespace=label)))
urlpatterns.append(path("", include("qcity.core.urls", namespace="core")))

# Chinese error pages; JSON under /api/ (qcity/core/errors.py)
handler400 = "qcity.core.errors.bad_request"
handler403 = "qcity.core.errors.permission_denied"
handler404 = "qcity.core.errors.page_not_found"
handler500 = "qcity.core.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
