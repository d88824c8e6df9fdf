"""core.coldstart."""

__all__: list[str] = []
