"""SQLAlchemy storage: models, migrations, repositories, the resource directory."""
