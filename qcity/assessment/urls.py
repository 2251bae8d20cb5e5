from django.urls import path

from qcity.core.views import registry_urls

from . import views

app_name = "assessment"

urlpatterns = (
    [
        path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    ]
    + registry_urls("assessment")
    + [
        path("schemes/<int:pk>/results/", views.results, name="results"),
        path("schemes/<int:pk>/items/", views.scheme_items, name="scheme_items"),
        path("schemes/<int:pk>/act/<str:action>/", views.scheme_act, name="scheme_act"),
        path("schemes/<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
        path("schemes/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
        path("assessments/<int:pk>/act/<str:action>/", views.act, name="act"),
    ]
)
