"""core.emulator."""

__all__: list[str] = []
