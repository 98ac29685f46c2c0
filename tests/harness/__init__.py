"""Real processes for tests, benchmarks and the demo: Gunicorn serving a copy
of the example project, and a load client that counts every failure."""
