"""The two kinds of contract.

What Baton receives refuses unknown fields (marshmallow's default), so a typo in an
integration's payload surfaces at once. What Baton sends — events, views, errors — lets
readers ignore fields they do not know, so adding a field never breaks an older reader
(a handler during a rolling deploy, an integration validating what it reads).
"""

from marshmallow import EXCLUDE, Schema


class OutputSchema(Schema):
    class Meta:
        unknown = EXCLUDE
