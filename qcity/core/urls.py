from django.urls import include, path

from . import accounts, audit_views, public, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("accounts/password/", accounts.password_change, name="password_change"),
    path("accounts/tokens/", accounts.token_list, name="token_list"),
    path("accounts/tokens/<int:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("search/", views.search_view, name="search"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.message_read, name="message_read"),
    path("core/imports/<int:pk>/", views.importrun_status, name="importrun_status"),
    path("core/jobs/<int:pk>/", views.job_status, name="job_status"),
    path("core/rules/", views.rule_list, name="rule_list"),
    path("core/audit/changes/", audit_views.change_log, name="audit_changes"),
    path("core/audit/logins/", audit_views.login_log, name="audit_logins"),
    path("core/audit/exports/", audit_views.export_log, name="audit_exports"),
    path("core/rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("public/", views.public_home, name="public_home"),
    path("public/", include(public.URLPATTERNS)),  # module pages, see public.add_urls
    path(
        "core/users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"
    ),
]
urlpatterns += [
    path(f"core/{p.pattern}", p.callback, name=p.name) for p in views.registry_urls("core")
]
