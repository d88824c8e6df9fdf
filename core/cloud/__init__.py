"""core.cloud."""

__all__: list[str] = []
