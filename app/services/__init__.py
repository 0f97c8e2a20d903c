"""Business rules as plain functions: no Flask request, typed exceptions."""

from app.errors import Conflict, NotFound, ServiceError

__all__ = ["Conflict", "NotFound", "ServiceError"]
