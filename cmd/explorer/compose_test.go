package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDockerComposeKeepsEveryPortOnLoopback reads docker-compose.yml (issue
// 12): the explorer was published on every interface, Neo4j's image tag
// floated (5-community) and Neo4j Browser was not published at all. Every
// published port must be bound to 127.0.0.1 (for the explorer, by default:
// a variable may open it), Neo4j must be the version scripts/neo4j tests,
// and its Browser (7474) and Bolt (7687) ports must be published.
func TestDockerComposeKeepsEveryPortOnLoopback(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image string   `yaml:"image"`
			Ports []string `yaml:"ports"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	// "HOST:PUBLISHED:TARGET", HOST a literal or ${VAR:-default}.
	binding := regexp.MustCompile(`^(?:\$\{[A-Z_]+:-([^}]*)\}|([^:]+)):(\d+):(\d+)$`)
	published := map[string][]string{}
	for name, svc := range compose.Services {
		for _, port := range svc.Ports {
			m := binding.FindStringSubmatch(port)
			if m == nil {
				t.Errorf("service %s publishes %q on every interface; bind it to 127.0.0.1", name, port)
				continue
			}
			if host := m[1] + m[2]; host != "127.0.0.1" {
				t.Errorf("service %s publishes %q on %s; by default it must be 127.0.0.1", name, port, host)
			}
			published[name] = append(published[name], m[3])
		}
	}
	if got := strings.Join(published["explorer"], ","); got != "8080" {
		t.Errorf("explorer publishes %q, want 8080", got)
	}
	if got := strings.Join(published["neo4j"], ","); got != "7474,7687" {
		t.Errorf("neo4j publishes %q, want 7474,7687 (Browser and Bolt)", got)
	}

	script, err := os.ReadFile("../../scripts/neo4j")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^NEO4J_VERSION=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/neo4j sets no NEO4J_VERSION")
	}
	if want := "neo4j:" + string(m[1]) + "-community"; compose.Services["neo4j"].Image != want {
		t.Errorf("neo4j image %q, want %q, the version scripts/neo4j tests", compose.Services["neo4j"].Image, want)
	}
}
