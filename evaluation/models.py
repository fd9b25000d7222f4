"""Models of the evaluation app (coming with its issue)."""
