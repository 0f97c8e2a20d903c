"""What FAB's generated schemas and OpenAPI description get wrong for our resources, corrected.

Found by Schemathesis (tests/api_fuzz.py): foreign-key columns were accepted untyped (a JSON
object as `village_id` reached the database layer and answered 500), and the description
declared ids as strings, `_info`'s field lists as objects and error messages as strings only.
"""

from __future__ import annotations

from flask_appbuilder.api.convert import Model2SchemaConverter

# An error answer: a message, or for invalid input the messages per field.
MESSAGE = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    ]
}
CONFLICT = {
    "description": "Clashes with existing data (a duplicate, a record in use, a stale edit)",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"message": {"type": "string"}}}
        }
    },
}
FIELD_INFO = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "description": {"type": "string"},
            "type": {"type": "string"},
            "required": {"type": "boolean"},
            "unique": {"type": "boolean"},
        },
    },
}


class ForeignKeyConverter(Model2SchemaConverter):
    """FAB's converter, with foreign-key columns typed from the model (integers, nullable or not).

    FAB builds SQLAlchemyAutoSchema without include_fk, so a foreign key named in add_columns
    became an untyped field that took any JSON value.
    """

    def _meta_schema_factory(self, columns, model, class_mixin, parent_schema_name=None):
        base = super()._meta_schema_factory(columns, model, class_mixin, parent_schema_name)

        class MetaSchema(base):  # FAB's OpenAPI resolver names schemas called MetaSchema
            class Meta(base.Meta):
                include_fk = True

        return MetaSchema


def _json_schema(response: dict) -> dict:
    return response["content"]["application/json"]["schema"]


def correct_operations(method_name: str, operations: dict) -> None:
    """Make one endpoint's generated description say what it answers."""
    for operation in operations.values():
        responses = operation.get("responses", {})
        ok = responses.get(200)  # the docstrings' YAML gives integer status keys
        if method_name == "get_list" and ok:
            _json_schema(ok)["properties"]["ids"]["items"] = {"type": "integer"}
        elif method_name == "get" and ok:
            _json_schema(ok)["properties"]["id"]["type"] = "integer"
        elif method_name == "info" and ok:
            properties = _json_schema(ok)["properties"]
            properties["add_columns"] = properties["edit_columns"] = FIELD_INFO
        if method_name in {"post", "put", "delete"}:
            responses.setdefault(409, CONFLICT)


def correct_components(api_spec) -> None:
    """Error answers carry a message, or the messages per field for invalid input."""
    for response in api_spec.components.responses.values():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if "message" in schema.get("properties", {}):
            schema["properties"]["message"] = MESSAGE
