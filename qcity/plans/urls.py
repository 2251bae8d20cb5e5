from django.urls import path

from qcity.core.views import registry_urls

from . import views

app_name = "plans"

urlpatterns = registry_urls("plans") + [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_status, name="import_status"),
    path("imports/<int:pk>/review/", views.import_review, name="import_review"),
    path("imports/<int:pk>/draft/", views.import_draft, name="import_draft"),
    path("imports/<int:pk>/import/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path(
        "plans/<int:pk>/export/<str:what>.<str:fmt>",
        views.plan_export,
        name="plan_export",
    ),
]
