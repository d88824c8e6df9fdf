"""core.oci."""

__all__: list[str] = []
