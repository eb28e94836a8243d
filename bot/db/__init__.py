"""The store: models, engine, migrations and workspace-scoped repositories."""
