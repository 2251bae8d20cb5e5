"""Errors with a Chinese message meant for the end user."""

SUPPORTED_FORMATS = (".txt", ".docx", ".pdf", ".html", ".htm", ".xlsx")
SUPPORTED_TEXT = "、".join((".txt", ".docx", ".pdf", ".html/.htm", ".xlsx"))


class ExtractionError(Exception):
    """Raised for input the extractor cannot read; ``message`` is in Chinese."""

    def __init__(self, message: str, path: str | None = None):
        self.message = message
        self.path = path
        super().__init__(message)

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}：{self.message}"
        return self.message
