"""On-demand benchmarks of xephang (not tests): `python -m bench`."""
