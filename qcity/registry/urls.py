from django.urls import path

from qcity.core.views import registry_urls

from . import views

app_name = "registry"

urlpatterns = registry_urls("registry") + [
    path("enterprises/<int:pk>/class/", views.set_class, name="enterprise_set_class"),
]
