"""core.convert."""

__all__: list[str] = []
