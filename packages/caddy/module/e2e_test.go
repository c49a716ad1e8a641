package berthedge

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

// edge is an in-process Caddy running testdata/skeleton.json on loopback
// high ports, with its admin API on a unix socket.
type edge struct {
	t        *testing.T
	dir      string
	httpPort int
	tlsPort  int
	skeleton string // default: testdata/skeleton.json
	admin    *http.Client
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startEdge(t *testing.T, e *edge) {
	t.Helper()
	if e.dir == "" {
		e.dir = t.TempDir()
		e.httpPort, e.tlsPort = freePort(t), freePort(t)
	}
	if e.skeleton == "" {
		tmpl, err := os.ReadFile("testdata/skeleton.json")
		if err != nil {
			t.Fatal(err)
		}
		e.skeleton = string(tmpl)
	}
	cfg := strings.NewReplacer(
		`"__HTTP_PORT__"`, strconv.Itoa(e.httpPort),
		`"__HTTPS_PORT__"`, strconv.Itoa(e.tlsPort),
		"__HTTP_PORT__", strconv.Itoa(e.httpPort),
		"__HTTPS_PORT__", strconv.Itoa(e.tlsPort),
		"__DIR__", e.dir,
	).Replace(e.skeleton)
	caddy.ConfigAutosavePath = filepath.Join(e.dir, "autosave.json")
	if err := caddy.Load([]byte(cfg), true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = caddy.Stop() })
	sock := filepath.Join(e.dir, "admin.sock")
	e.admin = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
}

// api calls the admin API and decodes the JSON answer.
func (e *edge) api(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://localhost"+path, rd)
	resp, err := e.admin.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *edge) putHost(rec record) {
	e.t.Helper()
	if code, out := e.api("PUT", "/berth/hosts/"+rec.Host, rec); code != 200 {
		e.t.Fatalf("PUT %s: %d %v", rec.Host, code, out)
	}
}

// get requests host's path over HTTPS (SNI = host) or HTTP.
func (e *edge) get(scheme, host, path string) (*http.Response, string) {
	e.t.Helper()
	port := e.httpPort
	if scheme == "https" {
		port = e.tlsPort
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			DisableKeepAlives: true,
			TLSClientConfig:   &tls.Config{ServerName: host, InsecureSkipVerify: true},
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
			},
		},
	}
	resp, err := client.Get(scheme + "://" + host + path)
	if err != nil {
		e.t.Fatalf("GET %s://%s%s: %v", scheme, host, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// handshake returns the certificate chain served for host.
func (e *edge) handshake(host string) ([]*x509.Certificate, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", "127.0.0.1:"+strconv.Itoa(e.tlsPort), &tls.Config{ServerName: host, InsecureSkipVerify: true})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates, nil
}

// issuedByLocalCA reports whether chain verifies for host up to Caddy's
// local CA root (from storage).
func (e *edge) issuedByLocalCA(chain []*x509.Certificate, host string) error {
	rootPEM, err := os.ReadFile(filepath.Join(e.dir, "storage", "pki", "authorities", "local", "root.crt"))
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(rootPEM)
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err = chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: host})
	return err
}

func selfSigned(t *testing.T, names ...string) (certPEM, keyPEM string, der []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})), der
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Caddy")
	}
	resetHosts(t)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend host=%s real-ip=%s path=%s", r.Host, r.Header.Get("X-Real-Ip"), r.URL.Path)
	}))
	defer backend.Close()
	upstream := strings.TrimPrefix(backend.URL, "http://")

	e := &edge{t: t}
	startEdge(t, e)
	started := caddy.ActiveContext().Context

	public := filepath.Join(e.dir, "tenants", "tnt_a", "sites", "sit_a", "public")
	if err := os.MkdirAll(filepath.Join(public, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(public, "static", "hello.txt"), []byte(strings.Repeat("hello static\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	a := proxyRecord("a.test", upstream)
	a.Static = &staticConfig{Root: public, Prefixes: []string{"/static"}}
	a.Log = true
	e.putHost(a)

	// proxied over HTTPS, with a certificate of Caddy's local CA
	resp, body := e.get("https", "a.test", "/app")
	if resp.StatusCode != 200 || body != "backend host=a.test real-ip=127.0.0.1 path=/app" {
		t.Fatalf("proxy: %d %q", resp.StatusCode, body)
	}
	if err := e.issuedByLocalCA(resp.TLS.PeerCertificates, "a.test"); err != nil {
		t.Fatalf("a.test certificate: %v", err)
	}
	// static files from the record's root, compressed by encode
	resp, body = e.get("https", "a.test", "/static/hello.txt")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "hello static\n") || !resp.Uncompressed {
		t.Fatalf("static: %d %q uncompressed=%v", resp.StatusCode, body, resp.Uncompressed)
	}
	if resp, _ = e.get("https", "a.test", "/static/missing.txt"); resp.StatusCode != 404 {
		t.Fatalf("static missing: %d", resp.StatusCode)
	}
	// HTTP redirects to HTTPS
	resp, _ = e.get("http", "a.test", "/x?y=1")
	if want := fmt.Sprintf("https://a.test:%d/x?y=1", e.tlsPort); resp.StatusCode != 308 || resp.Header.Get("Location") != want {
		t.Fatalf("http: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// unknown host: 404 over HTTP, no certificate over HTTPS
	resp, body = e.get("http", "unknown.test", "/")
	if resp.StatusCode != 404 || body != defaultNotFoundBody {
		t.Fatalf("unknown: %d %q", resp.StatusCode, body)
	}
	if _, err := e.handshake("unknown.test"); err == nil {
		t.Fatal("handshake for unknown.test succeeded")
	}

	// suspended
	e.putHost(record{Host: "s.test", Tenant: "tnt_a", Site: "sit_a", Domain: "dom_s", Action: actionSuspended, TLS: tlsConfig{Mode: tlsInternal}})
	if resp, body = e.get("https", "s.test", "/"); resp.StatusCode != 503 || !strings.Contains(body, "suspended") {
		t.Fatalf("suspended: %d %q", resp.StatusCode, body)
	}

	// a.test switches from internal (its internal certificate is cached
	// now) to an uploaded certificate that also lists b.test
	certPEM, keyPEM, der := selfSigned(t, "a.test", "b.test")
	a.TLS = tlsConfig{Mode: tlsCustom, CertificatePEM: certPEM, KeyPEM: keyPEM}
	e.putHost(a)
	e.putHost(proxyRecord("b.test", upstream))
	chain, err := e.handshake("a.test")
	if err != nil || !bytes.Equal(chain[0].Raw, der) {
		t.Fatalf("a.test after switching to custom: err %v, uploaded = %v", err, err == nil && bytes.Equal(chain[0].Raw, der))
	}
	chain, err = e.handshake("b.test")
	if err != nil || bytes.Equal(chain[0].Raw, der) {
		t.Fatalf("b.test got the uploaded certificate of a.test (err %v)", err)
	}
	if err := e.issuedByLocalCA(chain, "b.test"); err != nil {
		t.Fatalf("b.test certificate: %v", err)
	}
	if resp, body = e.get("https", "a.test", "/custom"); resp.StatusCode != 200 || !strings.Contains(body, "path=/custom") {
		t.Fatalf("a.test custom: %d %q", resp.StatusCode, body)
	}

	// internal → auto deletes the stored internal certificate, so the
	// next handshake would go to ACME rather than load it
	e.putHost(proxyRecord("c.test", upstream))
	if _, err := e.handshake("c.test"); err != nil {
		t.Fatal(err)
	}
	stored := filepath.Join(e.dir, "storage", "certificates", "berth", "c.test", "c.test.crt")
	if _, err := os.Stat(stored); err != nil {
		t.Fatalf("internal certificate not stored: %v", err)
	}
	c := proxyRecord("c.test", upstream)
	c.TLS.Mode = tlsAuto
	e.putHost(c)
	if _, err := os.Stat(stored); !os.IsNotExist(err) {
		t.Fatalf("stored internal certificate kept after switching to auto: %v", err)
	}
	// deleting a host evicts its cached certificate
	if code, _ := e.api("DELETE", "/berth/hosts/b.test", nil); code != 200 {
		t.Fatalf("DELETE: %d", code)
	}
	if _, err := e.handshake("b.test"); err == nil {
		t.Fatal("handshake for deleted b.test succeeded")
	}

	// per-host access log
	logFile := filepath.Join(e.dir, "logs", "tnt_a", "a.test.log")
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, _ := os.ReadFile(logFile)
		if bytes.Contains(data, []byte(`"uri":"/custom"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("access log: %q", data)
		}
		time.Sleep(100 * time.Millisecond)
	}

	if caddy.ActiveContext().Context != started {
		t.Fatal("a host change reloaded Caddy's config")
	}

	// restart: the table comes back from the snapshot
	code, table := e.api("GET", "/berth/hosts", nil)
	if code != 200 || table["count"].(float64) != 3 {
		t.Fatalf("GET table: %d %v", code, table)
	}
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	resetHosts(t)
	startEdge(t, e)
	if hosts.state.Load().gen != 1 || len(hosts.state.Load().hosts) != 3 {
		t.Fatalf("snapshot not loaded: %d hosts", len(hosts.state.Load().hosts))
	}
	if resp, body = e.get("https", "a.test", "/again"); resp.StatusCode != 200 || !strings.Contains(body, "path=/again") {
		t.Fatalf("after restart: %d %q", resp.StatusCode, body)
	}
}
