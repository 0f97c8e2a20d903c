"""REST APIs under /api/v1/."""
