"""Public pages (no login) are contributed by modules: each adds (title, url name, description)."""

SECTIONS = []


def add(title, url_name, description=""):
    SECTIONS.append((title, url_name, description))


def sections():
    return list(SECTIONS)
