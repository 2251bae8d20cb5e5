from django.shortcuts import redirect
from django.urls import path

from qcity.core.views import registry_urls

from . import views

app_name = "indicators"

urlpatterns = registry_urls("indicators") + [
    path("", lambda request: redirect("indicators:plan_list"), name="index"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_overview, name="plan_overview"),
    path("plans/<int:pk>/districts/", views.plan_districts, name="plan_districts"),
    path("plans/<int:pk>/mapping/", views.plan_mapping, name="plan_mapping"),
    path("observations/import-figures/", views.observation_import, name="observation_import"),
    path("targets/<int:pk>/", views.target_trend, name="target_trend"),
    path("targets/<int:pk>/decompose/", views.target_decompose, name="target_decompose"),
    path("indicators/<int:pk>/trend/", views.indicator_trend, name="indicator_trend"),
]
