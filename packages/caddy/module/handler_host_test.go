package berthedge

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// nextHandler records that it ran and what berth_host gave it.
type nextHandler struct {
	called bool
	rec    *compiledRecord
	vars   map[string]any
}

func (n *nextHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	n.called = true
	n.rec = recordFrom(r.Context())
	n.vars = map[string]any{}
	for _, k := range []string{"berth_tenant", "berth_site", "berth_domain", "berth_upstream"} {
		n.vars[k] = caddyhttp.GetVar(r.Context(), k)
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "from next")
	return nil
}

// newCaddyRequest makes a request with the context Caddy's server sets up
// (vars map, replacer).
func newCaddyRequest(method, target string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	repl := caddy.NewReplacer()
	return caddyhttp.PrepareRequest(r, repl, nil, nil)
}

func putHosts(t testing.TB, app *App, recs ...record) {
	t.Helper()
	for _, rec := range recs {
		if _, err := hosts.put("", mustCompile(t, rec, app.StaticBase)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHostHandler(t *testing.T) {
	resetHosts(t)
	app := runTestApp(t)
	app.HTTPSPort = 8443

	off := proxyRecord("plain.test", "127.0.0.1:9")
	off.TLS.Mode = tlsOff
	sus := record{Host: "sus.test", Tenant: "t", Site: "s", Domain: "d", Action: actionSuspended, TLS: tlsConfig{Mode: tlsAuto}}
	rd := record{Host: "old.test", Tenant: "t", Site: "s", Domain: "d", Action: actionRedirect, TLS: tlsConfig{Mode: tlsOff},
		Redirect: &redirectConfig{To: "https://new.test/", Status: 302, PreservePath: true}}
	rdPlain := rd
	rdPlain.Host, rdPlain.Redirect = "old2.test", &redirectConfig{To: "https://new.test/landing", Status: 307}
	canon := record{Host: "example.test", Tenant: "t", Site: "s", Domain: "d", Action: actionCanonical, Canonical: "www.example.test", TLS: tlsConfig{Mode: tlsAuto}}
	canonOff := canon
	canonOff.Host, canonOff.TLS.Mode = "example-off.test", tlsOff
	putHosts(t, app, proxyRecord("a.test", "127.0.0.1:9"), off, sus, rd, rdPlain, canon, canonOff)

	tests := []struct {
		name, scheme, method, target, host string
		status                             int
		location                           string
		next                               bool
		body                               string
	}{
		{name: "unknown", scheme: "https", target: "/x", host: "nope.test", status: 404, body: app.NotFoundBody},
		{name: "unknown http", scheme: "http", target: "/x", host: "nope.test:80", status: 404, body: app.NotFoundBody},
		{name: "proxy", scheme: "https", target: "/x", host: "A.Test.:8443", status: 200, next: true},
		{name: "http to https", scheme: "http", target: "/p?q=1", host: "a.test", status: 308, location: "https://a.test:8443/p?q=1"},
		{name: "tls off on https", scheme: "https", target: "/", host: "plain.test", status: 404, body: app.NotFoundBody},
		{name: "tls off on http", scheme: "http", target: "/", host: "plain.test", status: 200, next: true},
		{name: "suspended", scheme: "https", target: "/", host: "sus.test", status: 503, body: app.SuspendedPage},
		{name: "suspended http redirects first", scheme: "http", target: "/", host: "sus.test", status: 308, location: "https://sus.test:8443/"},
		{name: "redirect preserve path", scheme: "http", target: "/a/b?c", host: "old.test", status: 302, location: "https://new.test/a/b?c"},
		{name: "redirect", scheme: "http", target: "/a/b?c", host: "old2.test", status: 307, location: "https://new.test/landing"},
		{name: "canonical", scheme: "https", target: "/a?b", host: "example.test", status: 301, location: "https://www.example.test:8443/a?b"},
		{name: "canonical tls off", scheme: "http", target: "/a", host: "example-off.test", status: 301, location: "http://www.example.test/a"},
		{name: "IPv6 literal", scheme: "http", target: "/", host: "[::1]:80", status: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &HostHandler{Scheme: tc.scheme, app: app}
			if err := h.Validate(); err != nil {
				t.Fatal(err)
			}
			r := newCaddyRequest("GET", tc.scheme+"://x"+tc.target)
			r.Host = tc.host
			w := httptest.NewRecorder()
			next := &nextHandler{}
			if err := h.ServeHTTP(w, r, next); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.status || next.called != tc.next {
				t.Fatalf("status %d next %v", w.Code, next.called)
			}
			if got := w.Header().Get("Location"); got != tc.location {
				t.Fatalf("Location %q, want %q", got, tc.location)
			}
			if tc.body != "" && w.Body.String() != tc.body {
				t.Fatalf("body %q", w.Body)
			}
			switch tc.status {
			case 404:
				if w.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
					t.Fatalf("404 headers %v", w.Header())
				}
			case 503:
				if w.Header().Get("Retry-After") != "3600" || w.Header().Get("Cache-Control") != "no-store" ||
					!strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
					t.Fatalf("503 headers %v", w.Header())
				}
			}
			if tc.next {
				if next.rec == nil || next.rec != hosts.lookup(next.rec.rec.Host) {
					t.Fatal("record not in the context")
				}
				if next.vars["berth_tenant"] != "tnt_a" || next.vars["berth_upstream"] != "127.0.0.1:9" ||
					next.vars["berth_site"] != "sit_a" || next.vars["berth_domain"] != "dom_a" {
					t.Fatalf("vars %v", next.vars)
				}
			}
		})
	}
	if err := (&HostHandler{Scheme: "ftp"}).Validate(); err == nil {
		t.Fatal("scheme ftp accepted")
	}
}

func TestHostAccessLog(t *testing.T) {
	resetHosts(t)
	app := runTestApp(t)
	rec := proxyRecord("logged.test", "127.0.0.1:9")
	rec.Log = true
	putHosts(t, app, rec, proxyRecord("quiet.test", "127.0.0.1:9"))
	h := &HostHandler{Scheme: "https", app: app}

	for _, host := range []string{"logged.test", "quiet.test", "logged.test"} {
		r := newCaddyRequest("GET", "https://x/path?q=\"1\"")
		r.Host = host
		r.RequestURI = "/path?q=\"1\""
		if err := h.ServeHTTP(httptest.NewRecorder(), r, &nextHandler{}); err != nil {
			t.Fatal(err)
		}
	}
	// a handler error after nothing was written is logged with its status
	r := newCaddyRequest("GET", "https://x/err")
	r.Host = "logged.test"
	failing := caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
		return caddyhttp.Error(http.StatusBadGateway, io.EOF)
	})
	if err := h.ServeHTTP(httptest.NewRecorder(), r, failing); err == nil {
		t.Fatal("error swallowed")
	}
	hostLogs.flushAll()

	if _, err := os.Stat(filepath.Join(app.LogsDir, "tnt_a", "quiet.test.log")); !os.IsNotExist(err) {
		t.Fatal("quiet host logged")
	}
	f, err := os.Open(filepath.Join(app.LogsDir, "tnt_a", "logged.test.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	l := lines[0]
	req := l["request"].(map[string]any)
	if l["status"] != 200.0 || l["size"] != float64(len("from next")) || req["host"] != "logged.test" ||
		req["method"] != "GET" || req["uri"] != `/path?q="1"` || req["remote_ip"] != "192.0.2.1" {
		t.Fatalf("line %v", l)
	}
	if ts, ok := l["ts"].(float64); !ok || ts < 1.7e9 {
		t.Fatalf("ts %v", l["ts"])
	}
	if d, ok := l["duration"].(float64); !ok || d < 0 || d > 5 {
		t.Fatalf("duration %v", l["duration"])
	}
	if lines[2]["status"] != 502.0 || lines[2]["size"] != 0.0 {
		t.Fatalf("error line %v", lines[2])
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"plain", `q"b\`, "tab\tnl\n\x00\x7f", "é€😀", "bad\xff\xfeutf8"} {
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); got != want && !strings.Contains(s, "\xff") {
			t.Fatalf("%q -> %q", s, got)
		}
	}
}

// BenchmarkHostHandler compares a proxied request with and without the
// per-host access log.
func BenchmarkHostHandler(b *testing.B) {
	resetHosts(b)
	app := runTestApp(b)
	logged := proxyRecord("logged.test", "127.0.0.1:9")
	logged.Log = true
	putHosts(b, app, proxyRecord("quiet.test", "127.0.0.1:9"), logged)
	h := &HostHandler{Scheme: "https", app: app}
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.WriteString(w, "ok")
		return err
	})
	for _, host := range []string{"quiet.test", "logged.test"} {
		b.Run("host="+host, func(b *testing.B) {
			r := newCaddyRequest("GET", "https://x/some/path?x=1")
			r.Host = host
			w := discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				if err := h.ServeHTTP(w, r, next); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
