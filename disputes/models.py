"""Models of the disputes app (coming with its issue)."""
