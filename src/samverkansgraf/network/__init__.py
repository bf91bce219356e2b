"""Stage 6 — network: the collaboration network of the graph, with networkx.

Input: the built dumps (or an assembled dataset). Output: networkx graphs, their
measures, GraphML/GEXF/CSV exports with a codebook, pictures, and cross-agreement
comparisons.
"""

from .core import (
    NetworkResult,
    analyse_network,
    compare_agreements,
    export_network,
    extract_network_data,
)

__all__ = [
    "NetworkResult",
    "analyse_network",
    "compare_agreements",
    "export_network",
    "extract_network_data",
]
