// Reads a GEXF or GraphML file with graphology's parsers (what Gephi Lite uses) and prints the graph
// as JSON: its type, nodes with attributes, and edges with their direction as graphology holds it.
// Usage: node read_graph.js gexf|graphml FILE
const fs = require("fs");
const Graph = require("graphology");
const parsers = {gexf: require("graphology-gexf"), graphml: require("graphology-graphml")};

const [format, file] = process.argv.slice(2);
const graph = parsers[format].parse(Graph, fs.readFileSync(file, "utf-8"));
const nodes = graph.mapNodes((key, attributes) => ({key, attributes}));
const edges = graph.mapEdges((key, attributes, source, target, sa, ta, undirected) =>
  ({key, source, target, undirected, attributes}));
process.stdout.write(JSON.stringify({type: graph.type, multi: graph.multi, nodes, edges}));
