"""Services on a per-test database (SQLite, and PostgreSQL when CRM_TEST_DB_URL is set)."""
