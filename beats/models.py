"""Models of the beats app (coming with its issue)."""
