// Package web holds the explorer's page: static assets embedded in the binary
// (web/static) and the recipe that builds its JavaScript bundle (web/src).
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var embedded embed.FS

// Static is the page's files, rooted at web/static.
var Static, _ = fs.Sub(embedded, "static")
