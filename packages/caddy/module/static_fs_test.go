package berthedge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/zap"
)

// staticTree builds <base>/tnt_a/sites/sit_a/public (the root) and a
// sibling tenant tnt_b, with the files and symlinks the tests need.
func staticTree(t *testing.T) (base, root string) {
	t.Helper()
	base = t.TempDir()
	root = filepath.Join(base, "tnt_a", "sites", "sit_a", "public")
	other := filepath.Join(base, "tnt_b", "sites", "sit_b", "public")
	files := map[string]string{
		root + "/static/app.css":        "body{}",
		root + "/static/dir/index.html": "<p>index</p>",
		root + "/static/empty/x/y.txt":  "y",
		root + "/static/.env":           "SECRET=1",
		root + "/static/.git/config":    "[core]",
		root + "/media/photo.jpg":       "jpeg",
		root + "/private.txt":           "inside root, outside prefixes",
		other + "/static/secret.txt":    "tenant b",
	}
	for p, content := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		root + "/static/passwd":      "/etc/passwd",
		root + "/static/sibling":     other + "/static",
		root + "/static/sibling.txt": "../../../../tnt_b/sites/sit_b/public/static/secret.txt",
		root + "/static/up":          "../..",
		root + "/static/inside.txt":  "../private.txt",
		root + "/static/alias":       "dir",
	}
	for p, target := range links {
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(root+"/static/fifo", 0o644); err != nil {
		t.Fatal(err)
	}
	return base, root
}

func TestOpenStatic(t *testing.T) {
	base, root := staticTree(t)
	tests := []struct {
		path string
		want string // content, or "" for refused
	}{
		{"/static/app.css", "body{}"},
		{"/static/dir", "<p>index</p>"},
		{"/static/dir/", "<p>index</p>"},
		{"/static/dir/index.html", "<p>index</p>"},
		{"/static/alias/", "<p>index</p>"}, // symlink inside the root
		{"/static/inside.txt", "inside root, outside prefixes"},
		{"/media/photo.jpg", "jpeg"},
		{"/static/empty", ""},    // directory without index.html
		{"/static/app.css/", ""}, // file asked as a directory
		{"/static/missing.css", ""},
		{"/static/passwd", ""}, // symlink to /etc/passwd
		{"/static/sibling/secret.txt", ""},
		{"/static/sibling.txt", ""}, // relative symlink to another tenant
		{"/static/up/tnt_b/sites/sit_b/public/static/secret.txt", ""},
		{"/static/up", ""},
		{"/static/../private.txt", ""},
		{"/static/./app.css", ""},
		{"/static//app.css", ""},
		{"/static/.env", ""},
		{"/static/.git/config", ""},
		{"/static/fifo", ""},
		{"/static/a\x00b", ""},
		{"static/app.css", ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			f, _, err := openStatic(base, root, tc.path)
			if tc.want == "" {
				if err == nil {
					f.Close()
					t.Fatal("served")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, _ := io.ReadAll(f)
			if string(got) != tc.want {
				t.Fatalf("got %q", got)
			}
		})
	}
}

func TestOpenStaticRootReplacedBySymlink(t *testing.T) {
	base, root := staticTree(t)
	tests := []struct {
		name   string
		target string // what the tenant points a directory on the way at
		dir    string // which directory is replaced
	}{
		{"public to /etc", "/etc", root},
		{"public to sibling tenant", filepath.Join(base, "tnt_b", "sites", "sit_b", "public"), root},
		{"sites to sibling tenant", filepath.Join(base, "tnt_b", "sites"), filepath.Join(base, "tnt_a", "sites")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.Rename(tc.dir, tc.dir+".orig"); err != nil {
				t.Fatal(err)
			}
			defer os.Rename(tc.dir+".orig", tc.dir)
			if err := os.Symlink(tc.target, tc.dir); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(tc.dir)
			for _, p := range []string{"/passwd", "/static/secret.txt", "/hostname"} {
				if f, _, err := openStatic(base, root, p); err == nil {
					f.Close()
					t.Fatalf("%s served through a symlinked root", p)
				}
			}
		})
	}
	// the root must be strictly inside the base
	for _, r := range []string{base, filepath.Dir(base), "/etc", base + "x/y"} {
		if f, _, err := openStatic(base, r, "/passwd"); err == nil {
			f.Close()
			t.Fatalf("root %s accepted", r)
		}
	}
}

func TestStaticHandler(t *testing.T) {
	base, root := staticTree(t)
	rec := proxyRecord("a.test", "127.0.0.1:1")
	rec.Static = &staticConfig{Root: root, Prefixes: []string{"/static", "/media"}}
	c := mustCompile(t, rec, base)
	h := &StaticHandler{app: &App{StaticBase: base}, logger: zap.NewNop()}
	m := MatchStatic{}

	tests := []struct {
		method, path string
		match        bool
		status       int
		ctype        string
	}{
		{"GET", "/static/app.css", true, 200, "text/css; charset=utf-8"},
		{"HEAD", "/media/photo.jpg", true, 200, "image/jpeg"},
		{"GET", "/static", true, 404, ""},
		{"GET", "/staticx/app.css", false, 0, ""},
		{"GET", "/index.php", false, 0, ""},
		{"POST", "/static/app.css", true, 405, ""},
		{"GET", "/static/.env", true, 404, ""},
		{"GET", "/static/passwd", true, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://a.test"+tc.path, nil)
			r = r.WithContext(contextWithRecord(r, c))
			if got := m.Match(r); got != tc.match {
				t.Fatalf("match = %v", got)
			}
			if !tc.match {
				return
			}
			w := httptest.NewRecorder()
			if err := h.ServeHTTP(w, r, nil); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.status {
				t.Fatalf("status %d", w.Code)
			}
			if tc.ctype != "" && w.Header().Get("Content-Type") != tc.ctype {
				t.Fatalf("content-type %q", w.Header().Get("Content-Type"))
			}
		})
	}

	// Range and If-Modified-Since come from http.ServeContent
	r := httptest.NewRequest("GET", "http://a.test/static/app.css", nil)
	r.Header.Set("Range", "bytes=0-3")
	r = r.WithContext(contextWithRecord(r, c))
	w := httptest.NewRecorder()
	_ = h.ServeHTTP(w, r, nil)
	if w.Code != http.StatusPartialContent || w.Body.String() != "body" {
		t.Fatalf("range: %d %q", w.Code, w.Body)
	}
	r = httptest.NewRequest("GET", "http://a.test/static/app.css", nil)
	r.Header.Set("If-Modified-Since", w.Header().Get("Last-Modified"))
	r = r.WithContext(contextWithRecord(r, c))
	w = httptest.NewRecorder()
	_ = h.ServeHTTP(w, r, nil)
	if w.Code != http.StatusNotModified {
		t.Fatalf("If-Modified-Since: %d", w.Code)
	}
	// without a record (berth_host not before it): no match, 404
	r = httptest.NewRequest("GET", "http://a.test/static/app.css", nil)
	if m.Match(r) {
		t.Fatal("matched without a record")
	}
	w = httptest.NewRecorder()
	_ = h.ServeHTTP(w, r, nil)
	if w.Code != 404 || !strings.Contains(w.Body.String(), "not found") {
		t.Fatalf("no record: %d", w.Code)
	}
}
