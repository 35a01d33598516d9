"""Pure archive rules: no nameko, pymongo or marshmallow here."""
