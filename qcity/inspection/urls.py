from django.urls import path

from qcity.core import public
from qcity.core.views import registry_urls

from . import views

app_name = "inspection"

urlpatterns = registry_urls("inspection") + [
    path("randominspectiontasks/<int:pk>/panel/", views.task_panel, name="task_panel"),
    path("randominspectiontasks/<int:pk>/commit/", views.task_commit, name="task_commit"),
    path(
        "randominspectiontasks/<int:pk>/public-value/",
        views.task_public_value,
        name="task_public_value",
    ),
    path("inspectionrecords/<int:pk>/publish/", views.record_publish, name="record_publish"),
    path("inspectionrecords/gsxt.csv", views.records_gsxt_csv, name="records_gsxt_csv"),
    path("samplingplans/<int:pk>/overlaps/", views.plan_overlaps, name="plan_overlaps"),
    path("samplingplans/<int:pk>/import/", views.plan_import, name="plan_import"),
    path(
        "samplingplans/<int:pk>/import/<int:run_pk>/review/",
        views.plan_import_review,
        name="plan_import_review",
    ),
    path("samplingplans/<int:pk>/bulk-import/", views.plan_bulk_import, name="plan_bulk_import"),
    path("bulk-imports/<int:pk>/", views.bulk_run, name="bulk_run"),
    path("samples/<int:pk>/result/", views.sample_result, name="sample_result"),
    path("samples/<int:pk>/items/", views.sample_items, name="sample_items"),
    path("samples/<int:pk>/form/", views.sample_form, name="sample_form"),
    path("disposalcases/<int:pk>/act/", views.case_act, name="case_act"),
    path("disposalcases/<int:pk>/notice/<str:kind>/", views.case_notice, name="case_notice"),
    path("stats/", views.stats_view, name="stats"),
    path("stats/quarterly/", views.quarterly_view, name="quarterly"),
]

public.add_urls(
    path("unqualified/", views.public_unqualified, name="inspection_public_unqualified"),
    path("inspection-results/", views.public_results, name="inspection_public_results"),
    path("draws/", views.public_draws, name="inspection_public_draws"),
    path("draws/<int:pk>/", views.public_draw, name="inspection_public_draw"),
    path(
        "draws/<int:pk>/record.json", views.public_draw_record, name="inspection_public_draw_record"
    ),
)
