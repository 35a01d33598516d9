"""Pure reminder rules: no nameko, pymongo or marshmallow here."""
