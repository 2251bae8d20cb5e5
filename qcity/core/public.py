"""Public pages (no login) are contributed by modules: each adds (title, url name, description).

Modules also contribute the pages themselves with ``add_urls(path(...), ...)``; they are
served under ``/public/`` and named in the ``core`` namespace (``core:<name>``).
"""

SECTIONS = []
URLPATTERNS = []  # filled by modules' urls.py at import; mounted at /public/ by core.urls


def add(title, url_name, description=""):
    SECTIONS.append((title, url_name, description))


def add_urls(*patterns):
    known = {p.name for p in URLPATTERNS}
    URLPATTERNS.extend(p for p in patterns if p.name not in known)


def sections():
    return list(SECTIONS)
