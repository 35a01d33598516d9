"""Pure pool rules: no nameko, pymongo or marshmallow here."""
