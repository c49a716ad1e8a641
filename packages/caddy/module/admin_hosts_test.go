package berthedge

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"
)

// adminCall runs one admin request through the router's handlers and
// renders errors as Caddy's admin server does.
func adminCall(t *testing.T, method, path, body string, header map[string]string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	a := &AdminHosts{logger: zap.NewNop()}
	var h caddy.AdminHandler
	for _, rt := range a.Routes() {
		if path == rt.Pattern || (strings.HasSuffix(rt.Pattern, "/") && strings.HasPrefix(path, rt.Pattern)) {
			h = rt.Handler
		}
	}
	if h == nil {
		t.Fatalf("no route for %s", path)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	if err := h.ServeHTTP(w, req); err != nil {
		var apiErr caddy.APIError
		if !errors.As(err, &apiErr) {
			apiErr = caddy.APIError{HTTPStatus: 500, Err: err}
		}
		w.WriteHeader(apiErr.HTTPStatus)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": apiErr.Error()})
	}
	var out map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, w.Body.String(), err)
		}
	}
	return w, out
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAdminHosts(t *testing.T) {
	resetHosts(t)
	runTestApp(t)
	v := loadVectors(t)
	var custom record
	for _, raw := range v.Valid {
		if rec, _ := decodeRecord(raw); rec.TLS.Mode == tlsCustom {
			custom = rec
		}
	}

	etag0 := hosts.etag(0)
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		header     map[string]string
		status     int
		wantErr    string
		etagChange bool
	}{
		{name: "get absent", method: "GET", path: "/berth/hosts/a.test", status: 404, wantErr: "not in the table"},
		{name: "put bad record", method: "PUT", path: "/berth/hosts/a.test",
			body:   `{"host":"a.test","tenant":"t","site":"s","domain":"d","action":"proxy","upstream":"10.0.0.1","tls":{"mode":"auto"}}`,
			status: 400, wantErr: `upstream: "10.0.0.1" is not IP:port`},
		{name: "put unknown field", method: "PUT", path: "/berth/hosts/a.test",
			body:   `{"host":"a.test","tenant":"t","site":"s","domain":"d","action":"suspended","tls":{"mode":"auto"},"x":1}`,
			status: 400, wantErr: `unknown field "x"`},
		{name: "put host mismatch", method: "PUT", path: "/berth/hosts/b.test",
			body: jsonString(t, proxyRecord("a.test", "10.0.0.1:80")), status: 400, wantErr: "does not match the path"},
		{name: "put stale If-Match", method: "PUT", path: "/berth/hosts/a.test", header: map[string]string{"If-Match": `"x-0"`},
			body: jsonString(t, proxyRecord("a.test", "10.0.0.1:80")), status: 412},
		{name: "put", method: "PUT", path: "/berth/hosts/a.test", header: map[string]string{"If-Match": etag0},
			body: jsonString(t, proxyRecord("a.test", "10.0.0.1:80")), status: 200, etagChange: true},
		{name: "put custom", method: "PUT", path: "/berth/hosts/custom.example.com",
			body: jsonString(t, custom), status: 200, etagChange: true},
		{name: "put too large", method: "PUT", path: "/berth/hosts/a.test",
			body: `{"host":"` + strings.Repeat("a", maxHostBody) + `"}`, status: 413},
		{name: "delete absent", method: "DELETE", path: "/berth/hosts/b.test", status: 404},
		{name: "delete stale", method: "DELETE", path: "/berth/hosts/a.test", header: map[string]string{"If-Match": etag0}, status: 412},
		{name: "post", method: "POST", path: "/berth/hosts/a.test", status: 405},
		{name: "bad bulk body", method: "PUT", path: "/berth/hosts", body: `{"records":[]}`, status: 400, wantErr: `unknown field "records"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hosts.state.Load()
			w, out := adminCall(t, tc.method, tc.path, tc.body, tc.header)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.wantErr != "" && !strings.Contains(out["error"].(string), tc.wantErr) {
				t.Fatalf("error %q, want %q", out["error"], tc.wantErr)
			}
			after := hosts.state.Load()
			if changed := after != before; changed != tc.etagChange {
				t.Fatalf("table changed = %v", changed)
			}
			if got := w.Header().Get("ETag"); got != hosts.etag(after.gen) {
				t.Fatalf("ETag header %s, want %s", got, hosts.etag(after.gen))
			}
			if tc.status == 200 && out["etag"] != hosts.etag(after.gen) {
				t.Fatalf("etag in body %v", out["etag"])
			}
		})
	}

	// GET redacts the key, one host and the table
	w, out := adminCall(t, "GET", "/berth/hosts/custom.example.com", "", nil)
	if w.Code != 200 || out["tls"].(map[string]any)["key_pem"] != redactedKey ||
		out["tls"].(map[string]any)["certificate_pem"] != custom.TLS.CertificatePEM {
		t.Fatalf("GET custom: %d %v", w.Code, out["tls"])
	}
	w, out = adminCall(t, "GET", "/berth/hosts", "", nil)
	if w.Code != 200 || out["count"].(float64) != 2 || strings.Contains(w.Body.String(), "PRIVATE KEY") {
		t.Fatalf("GET table: %d %s", w.Code, w.Body)
	}
	if hosts.lookup("custom.example.com").rec.TLS.KeyPEM != custom.TLS.KeyPEM {
		t.Fatal("redaction changed the table")
	}
}

func TestAdminBulkReplace(t *testing.T) {
	resetHosts(t)
	runTestApp(t)
	keep := proxyRecord("keep.test", "10.0.0.1:80")
	gone := proxyRecord("gone.test", "10.0.0.1:80")
	for _, rec := range []record{keep, gone} {
		if w, _ := adminCall(t, "PUT", "/berth/hosts/"+rec.Host, jsonString(t, rec), nil); w.Code != 200 {
			t.Fatal(w.Body)
		}
	}
	badKeep := keep
	badKeep.Upstream = "not-an-ip:80"
	body := `{"hosts":[` + strings.Join([]string{
		jsonString(t, proxyRecord("new.test", "10.0.0.2:80")),
		jsonString(t, badKeep),
		`{"host":"x.test","action":"proxy","oops":true}`,
		jsonString(t, proxyRecord("new.test", "10.0.0.3:80")),
	}, ",") + `]}`

	stale := hosts.etag(hosts.state.Load().gen - 1)
	if w, _ := adminCall(t, "PUT", "/berth/hosts", body, map[string]string{"If-Match": stale}); w.Code != 412 {
		t.Fatalf("stale bulk: %d", w.Code)
	}

	w, out := adminCall(t, "PUT", "/berth/hosts", body, map[string]string{"If-Match": hosts.etag(hosts.state.Load().gen)})
	if w.Code != 200 {
		t.Fatalf("bulk: %d %s", w.Code, w.Body)
	}
	rejected := out["rejected"].([]any)
	if len(rejected) != 3 {
		t.Fatalf("rejected: %v", rejected)
	}
	for i, want := range []struct {
		index float64
		host  string
		err   string
	}{{1, "keep.test", "upstream:"}, {2, "x.test", `unknown field "oops"`}, {3, "new.test", "duplicate"}} {
		r := rejected[i].(map[string]any)
		if r["index"] != want.index || r["host"] != want.host || !strings.Contains(r["error"].(string), want.err) {
			t.Errorf("rejected[%d] = %v", i, r)
		}
	}
	if out["count"].(float64) != 2 {
		t.Errorf("count %v", out["count"])
	}
	if c := hosts.lookup("new.test"); c == nil || c.rec.Upstream != "10.0.0.2:80" {
		t.Error("valid record not applied")
	}
	if c := hosts.lookup("keep.test"); c == nil || c.rec.Upstream != "10.0.0.1:80" {
		t.Error("host of a rejected record lost its current record")
	}
	if hosts.lookup("gone.test") != nil {
		t.Error("host absent from the body is still in the table")
	}
}

func TestAdminWithoutApp(t *testing.T) {
	resetHosts(t)
	w, out := adminCall(t, "PUT", "/berth/hosts/a.test", jsonString(t, proxyRecord("a.test", "10.0.0.1:80")), nil)
	if w.Code != 503 || !strings.Contains(out["error"].(string), "not running") || hosts.lookup("a.test") != nil {
		t.Fatalf("%d %v", w.Code, out)
	}
}
