"""One error type for bad input, so the CLI can print one clear line and exit with code 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem with data the user gave: names the file, row and column where known.

    ``row`` is the 1-based line number in the file as a person sees it in an editor
    (the header is line 1), so the first data row of a CSV is row 2.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        text = " ".join(self.message.split())  # always one line
        return f"{prefix}: {text}" if prefix else text
