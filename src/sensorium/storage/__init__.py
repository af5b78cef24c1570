"""Durable state: SQLAlchemy over SQLite by default (PostgreSQL by URL), Alembic migrations."""
