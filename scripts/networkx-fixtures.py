#!/usr/bin/env python3
"""Reference values from NetworkX for the graph package's measures.

Writes internal/graph/testdata/networkx/*.json: for each graph, its concepts,
weighted relations and a partition into communities, with NetworkX's

  - pagerank(G, alpha=0.85, weight="weight"), run to a tight tolerance,
  - betweenness_centrality(G, normalized=True) (hops, weights ignored),
  - closeness_centrality(G) (hops, wf_improved=True),
  - community.modularity(G, partition, weight="weight").

The graphs: a small hand-made one, the example notes' graph (loaded with
cmd/graphload and exported as node-link JSON; episode nodes are dropped, as
the concept graph has none), and a generated planted-partition graph with a
separate component and isolated concepts.

Run from the repository root, with networkx (and scipy, which its pagerank
uses) installed:  python3 scripts/networkx-fixtures.py
The Go tests in internal/graph read the fixtures; rerun this only when a
graph or a definition changes, and commit the result.
"""

import json
import os
import random
import subprocess
import sys
import tempfile

import networkx as nx

OUT = os.path.join("internal", "graph", "testdata", "networkx")


def reference(name, description, nodes, edges, partition):
    """Computes the reference measures of an undirected weighted graph."""
    g = nx.Graph()
    g.add_nodes_from(nodes)
    for s, t, w in edges:
        g.add_edge(s, t, weight=w)
    assert sum(len(c) for c in partition) == len(nodes), "partition must cover every node once"
    return {
        "name": name,
        "description": description,
        "networkx": nx.__version__,
        "nodes": nodes,
        "edges": [[s, t, w] for s, t, w in edges],
        "partition": [sorted(c) for c in partition],
        # tol is per node (NetworkX stops when the L1 change < N * tol).
        "pagerank": nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-15, max_iter=100000),
        "betweenness": nx.betweenness_centrality(g, normalized=True),
        "closeness": nx.closeness_centrality(g),
        "modularity": nx.community.modularity(g, [set(c) for c in partition], weight="weight"),
    }


def hand_graph():
    nodes = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
    edges = [
        ("a", "b", 2.0), ("a", "c", 1.0), ("b", "c", 1.5),  # triangle one
        ("d", "e", 1.0), ("d", "f", 3.0), ("e", "f", 1.0),  # triangle two
        ("c", "d", 0.5),  # the bridge
        ("f", "g", 1.0),  # a pendant
        ("h", "i", 2.5),  # a separate pair
    ]  # j is isolated
    partition = [["a", "b", "c"], ["d", "e", "f", "g"], ["h", "i"], ["j"]]
    return reference("hand", "two weighted triangles joined by a bridge, a pendant, a separate pair and an isolated concept",
                     nodes, edges, partition)


def example_graph():
    with tempfile.TemporaryDirectory() as tmp:
        db, export = os.path.join(tmp, "x.db"), os.path.join(tmp, "x.json")
        subprocess.run(["go", "run", "./cmd/graphload", "-store", "sqlite:" + db, "examples/notes"], check=True)
        subprocess.run(["go", "run", "./cmd/graphload", "export", "-store", "sqlite:" + db, "-o", export], check=True)
        with open(export, encoding="utf-8") as f:
            data = json.load(f)
    concepts = [n for n in data["nodes"] if n.get("kind") != "episode"]
    nodes = sorted(n["id"] for n in concepts)
    edges = sorted((l["source"], l["target"], l["weight"]) for l in data["links"])
    groups = {}
    for n in concepts:
        groups.setdefault(n["community"], []).append(n["id"])
    partition = [groups[c] for c in sorted(groups)]
    return reference("examples", "the concept graph of examples/notes, partitioned by the communities graphload stored",
                     nodes, edges, partition)


def generated_graph():
    rng = random.Random(7)
    blocks, size = 5, 30
    planted = nx.planted_partition_graph(blocks, size, 0.3, 0.02, seed=7)
    name = lambda u: "g%03d" % u
    nodes = [name(u) for u in range(blocks * size)]
    edges = [(name(min(u, v)), name(max(u, v)), round(rng.uniform(0.5, 3.0), 3)) for u, v in sorted(planted.edges())]
    partition = [[name(u) for u in range(b * size, (b + 1) * size)] for b in range(blocks)]
    # A separate path of four concepts and three isolated ones, so closeness
    # has to scale by the part of the graph a concept reaches.
    path = ["p0", "p1", "p2", "p3"]
    nodes += path + ["z0", "z1", "z2"]
    edges += [(path[k], path[k + 1], 1.0 + k) for k in range(3)]
    partition += [path, ["z0"], ["z1"], ["z2"]]
    return reference("generated", "planted partition (5 blocks of 30, p_in 0.3, p_out 0.02, seed 7) with uniform weights in [0.5, 3], a separate path and isolated concepts",
                     nodes, edges, partition)


def main():
    if not os.path.isdir(os.path.join("internal", "graph")):
        sys.exit("run from the repository root")
    os.makedirs(OUT, exist_ok=True)
    for fixture in (hand_graph(), example_graph(), generated_graph()):
        path = os.path.join(OUT, fixture["name"] + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(fixture, f, indent=1, sort_keys=True)
            f.write("\n")
        print("wrote", path, len(fixture["nodes"]), "nodes", len(fixture["edges"]), "edges")


if __name__ == "__main__":
    main()
