"""Developer tools: synthetic national-scale projects for benchmarks and load tests,
and measurement of the catalogue record against the portals' own shapes.

Input: a scale and a seed (``synth``: a complete project folder in exactly the
project's model), or a record and local copies of SEMIC's and DIGG's shapes
(``official_shapes``: their results, counted).
"""
