"""SQLAlchemy models, engine, migrations, the evidence folder, paged reads."""
