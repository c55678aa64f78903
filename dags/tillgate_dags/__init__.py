"""The work behind tillgate's Airflow DAGs: plain modules that tasks import and pytest tests directly."""
