"""Use cases, one transaction each, committed here and nowhere else."""
