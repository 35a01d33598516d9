"""Pure handoff rules: no nameko, pymongo or marshmallow here."""
