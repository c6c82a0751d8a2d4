"""What services answer: a reply carries every one of its fields, every time.

A field with no value is sent as ``null`` (and declared ``allow_none``), never left out, so
clients can rely on the shape; the OpenAPI document therefore lists every field of a reply
as required.

    class Permit(Reply):
        number = fields.String()
        valid_until = fields.Date(allow_none=True)  # always present, null when open-ended
"""

from marshmallow import Schema


class Reply(Schema):
    """Base of the schemas that services dump their answers with."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True
