"""Models of the registry app (coming with its issue)."""
