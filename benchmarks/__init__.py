"""Benchmarks of samverkansgraf at national scale (``make bench``; issue #9)."""
