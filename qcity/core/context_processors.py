from . import registry, uploads


def counted(request, key, count):
    """A count computed once per request, whoever asks for it first (view or navbar)."""
    cache = request.__dict__.setdefault("_qcity_counts", {})
    if key not in cache:
        cache[key] = count()
    return cache[key]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "upload_limit_mb": uploads.limit_mb()}
    from .audit_views import audit_links
    from .models import Message
    from .notify import todos_for

    groups = registry.menu(user)
    core_groups = {str(r.menu_group) for r in registry.for_app("core") if r.menu_group}
    return {
        "nav_groups": [(name, regs) for name, regs in groups if name not in core_groups],
        "nav_admin_groups": [(name, regs) for name, regs in groups if name in core_groups],
        # the home page counts the same: one query each, shared through the request
        "nav_todo_count": counted(request, "todos", lambda: todos_for(user).count()),
        "nav_unread": counted(
            request, "unread", lambda: Message.objects.filter(recipient=user, read_at=None).count()
        ),
        "upload_limit_mb": uploads.limit_mb(),
        "nav_audit_links": audit_links(user),
    }
