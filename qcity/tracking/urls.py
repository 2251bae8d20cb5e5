from django.urls import path

from qcity.core.views import registry_urls

from . import views

app_name = "tracking"

urlpatterns = (
    [
        path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    ]
    + registry_urls("tracking")
    + [
        path("", views.board, name="board"),
        path("mine/", views.mine, name="mine"),
        path("assign/", views.assign_new, name="assign_new"),
        path("plans/<int:pk>/assign/", views.plan_assign, name="plan_assign"),
        path("assignments/<int:pk>/act/<str:action>/", views.act, name="act"),
        path("assignments/<int:pk>/report/", views.report_form, name="report_form"),
        path("reports/<int:pk>/", views.report_edit, name="report_edit"),
        path("reports/<int:pk>/input/", views.co_input, name="co_input"),
        path("reports/<int:pk>/attach/", views.report_attach, name="report_attach"),
        path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
        path("assignments/<int:pk>/milestones/", views.milestones_edit, name="milestones_edit"),
        path("followups/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
        path("followups/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
        path("assignments/<int:pk>/supervise/", views.supervise_new, name="supervise_new"),
    ]
)
