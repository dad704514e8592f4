package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

// handleStatic serves the page's files. A path that names no file and has no
// extension gets index.html, so links into the page's own views still load
// it; a missing asset (with an extension) stays a 404.
//
// Embedded files have no modification time, so each file's ETag is a hash of
// its content, computed on first request; http.ServeContent then answers
// If-None-Match with 304.
func handleStatic(static fs.FS) http.Handler {
	files := http.FileServerFS(static)
	var etags sync.Map // file name -> ETag
	etagOf := func(name string) string {
		if tag, ok := etags.Load(name); ok {
			return tag.(string)
		}
		data, err := fs.ReadFile(static, name)
		if err != nil {
			return ""
		}
		sum := sha256.Sum256(data)
		tag := `"` + hex.EncodeToString(sum[:12]) + `"`
		etags.Store(name, tag)
		return tag
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		info, err := fs.Stat(static, name)
		switch {
		case err == nil && info.IsDir():
			name = path.Join(name, "index.html")
		case errors.Is(err, fs.ErrNotExist) && path.Ext(name) == "":
			name = "index.html"
			r = cloneWithPath(r, "/")
		}
		if tag := etagOf(name); tag != "" {
			w.Header().Set("ETag", tag)
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// cloneWithPath returns r asking for another path.
func cloneWithPath(r *http.Request, p string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = p, ""
	return r2
}
