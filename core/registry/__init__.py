"""core.registry."""

__all__: list[str] = []
