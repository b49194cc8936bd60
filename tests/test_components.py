"""Connected components shared by the grouping of samples into individuals and of
vector decoys into families."""

from ipscqc.components import connected_components


def test_components_join_chains_and_keep_singletons():
    nodes = ["e", "d", "c", "b", "a"]
    edges = [("e", "c"), ("c", "a")]
    assert connected_components(nodes, edges) == [["a", "c", "e"], ["b"], ["d"]]


def test_no_edges_gives_one_component_per_node_and_no_nodes_none():
    assert connected_components(["b", "a"], []) == [["a"], ["b"]]
    assert connected_components([], []) == []
