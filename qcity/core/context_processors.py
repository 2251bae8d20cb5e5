from . import registry, uploads


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "upload_limit_mb": uploads.limit_mb()}
    from .models import Message
    from .notify import todos_for

    groups = registry.menu(user)
    core_groups = {str(r.menu_group) for r in registry.for_app("core") if r.menu_group}
    return {
        "nav_groups": [(name, regs) for name, regs in groups if name not in core_groups],
        "nav_admin_groups": [(name, regs) for name, regs in groups if name in core_groups],
        "nav_todo_count": todos_for(user).count(),
        "nav_unread": Message.objects.filter(recipient=user, read_at=None).count(),
        "upload_limit_mb": uploads.limit_mb(),
    }
