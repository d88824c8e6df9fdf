"""core.pull."""

__all__: list[str] = []
