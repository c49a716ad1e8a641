package berthedge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	pebbleBin       = "/usr/bin/pebble"
	challtestsrvBin = "/usr/bin/pebble-challtestsrv"
)

// startPebble runs Debian's Pebble ACME test server (and challtestsrv as
// its DNS, answering 127.0.0.1 for every name) validating challenges on
// the given ports; it returns the directory URL and the PEM file of the CA
// of Pebble's own listener.
func startPebble(t *testing.T, httpPort, tlsPort int) (dirURL, listenerCA string) {
	t.Helper()
	dir := t.TempDir()
	// Debian's package ships no listener certificate: mint one
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pebble listener"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	listenerCA = filepath.Join(dir, "listener.crt")
	keyPath := filepath.Join(dir, "listener.key")
	_ = os.WriteFile(listenerCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600)

	acmePort, mgmtPort, dnsPort, challPort := freePort(t), freePort(t), freePort(t), freePort(t)
	cfg, _ := json.Marshal(map[string]any{"pebble": map[string]any{
		"listenAddress": "127.0.0.1:" + strconv.Itoa(acmePort), "managementListenAddress": "127.0.0.1:" + strconv.Itoa(mgmtPort),
		"certificate": listenerCA, "privateKey": keyPath, "httpPort": httpPort, "tlsPort": tlsPort,
		"ocspResponderURL": "", "externalAccountBindingRequired": false,
	}})
	cfgPath := filepath.Join(dir, "pebble.json")
	_ = os.WriteFile(cfgPath, cfg, 0o600)
	logf, _ := os.Create(filepath.Join(dir, "pebble.log"))
	t.Cleanup(func() { logf.Close() })

	run := func(name string, args []string, env []string) {
		cmd := exec.Command(name, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	run(challtestsrvBin, []string{"-dns01", "127.0.0.1:" + strconv.Itoa(dnsPort), "-http01", "", "-https01", "", "-tlsalpn01", "",
		"-management", "127.0.0.1:" + strconv.Itoa(challPort), "-defaultIPv6", ""}, []string{"PATH=/usr/bin:/bin"})
	run(pebbleBin, []string{"-config", cfgPath, "-dnsserver", "127.0.0.1:" + strconv.Itoa(dnsPort)},
		[]string{"PATH=/usr/bin:/bin", "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0"})

	dirURL = "https://127.0.0.1:" + strconv.Itoa(acmePort) + "/dir"
	pool := x509.NewCertPool()
	pool.AddCert(tmpl)
	c, _ := x509.ParseCertificate(der)
	pool.AddCert(c)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := client.Get(dirURL); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return dirURL, listenerCA
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pebble.log"))
			t.Fatalf("pebble did not start: %s", log)
		}
	}
}

// TestACMEWithPebble issues a certificate for an auto-mode host from a
// local Pebble through the HTTP-01 challenge answered by the skeleton's
// HTTP server, then switches the host to internal. It needs Debian's pebble
// package (the test command installs it) and fails without it.
func TestACMEWithPebble(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Caddy and Pebble")
	}
	if _, err := os.Stat(pebbleBin); err != nil {
		t.Fatal("pebble is not installed (apt-get install pebble; scripts/prereqs.sh --tests does)")
	}
	resetHosts(t)
	e := &edge{t: t, dir: t.TempDir()}
	e.httpPort, e.tlsPort = freePort(t), freePort(t)
	dirURL, listenerCA := startPebble(t, e.httpPort, e.tlsPort)

	// the skeleton with this ACME CA, HTTP-01 only
	tmpl, err := os.ReadFile("testdata/skeleton.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(tmpl, &cfg); err != nil {
		t.Fatal(err)
	}
	policy := cfg["apps"].(map[string]any)["tls"].(map[string]any)["automation"].(map[string]any)["policies"].([]any)[0]
	policy.(map[string]any)["issuers"].([]any)[0].(map[string]any)["acme"] = map[string]any{
		"ca": dirURL, "trusted_roots_pem_files": []string{listenerCA},
		"challenges": map[string]any{"tls-alpn": map[string]any{"disabled": true}},
	}
	skeleton, _ := json.Marshal(cfg)
	e.skeleton = string(skeleton)
	startEdge(t, e)

	rec := proxyRecord("acme.test", "127.0.0.1:9")
	rec.TLS.Mode = tlsAuto
	e.putHost(rec)
	chain, err := e.handshake("acme.test")
	if err != nil {
		t.Fatalf("handshake for an auto host: %v", err)
	}
	if !strings.Contains(chain[0].Issuer.CommonName, "Pebble") || e.issuedByLocalCA(chain, "acme.test") == nil {
		t.Fatalf("auto host got a certificate from %q", chain[0].Issuer)
	}

	// auto → internal: the stored ACME certificate goes, the internal CA issues
	rec.TLS.Mode = tlsInternal
	e.putHost(rec)
	chain, err = e.handshake("acme.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.issuedByLocalCA(chain, "acme.test"); err != nil {
		t.Fatalf("after switching to internal: %v (issuer %q)", err, chain[0].Issuer)
	}
}
