"""The PostgreSQL backend: psycopg-pool connections, ``langgraph-checkpoint-postgres``."""
