"""Developer tools: synthetic national-scale projects for benchmarks and load tests.

Input: a scale and a seed. Output: a complete project folder in exactly the
project's model (``synth``).
"""
