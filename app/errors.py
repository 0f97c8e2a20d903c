"""Typed refusals raised by the rules (services, scope), mapped to answers by views and APIs."""


class ServiceError(Exception):
    """A business rule refused the operation; the message is a translatable English msgid."""

    status = 422

    def __init__(self, message, field: str | None = None, **params):
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(ServiceError):
    """The record does not exist or lies outside the user's scope."""

    status = 404


class Conflict(ServiceError):
    """The operation clashes with existing data (a duplicate, a stale edit)."""

    status = 409


class Forbidden(ServiceError):
    """The operation belongs to another level of the organisation."""

    status = 403
