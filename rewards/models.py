"""Models of the rewards app (coming with its issue)."""
