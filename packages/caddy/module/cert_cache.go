package berthedge

import (
	"slices"
	"sync"
	_ "unsafe" // for go:linkname

	_ "github.com/caddyserver/caddy/v2/modules/caddytls" // defines the variables below
	"github.com/caddyserver/certmagic"
)

// CertMagic looks a handshake's name up in its certificate cache before it
// asks the berth Manager or issuer, so when a host's certificate source
// changes (tls mode, uploaded certificate, or the host is deleted) its
// cached certificates must go, or the old one would keep answering.
//
// Caddy's TLS app keeps that cache in the unexported package variables
// caddytls.certCache / certCacheMu and exports no way to remove from it
// (caddytls.AllMatchingCertificates only reads), so they are pulled here.
// If a Caddy upgrade renames them the build fails at link time.

//go:linkname caddyCertCache github.com/caddyserver/caddy/v2/modules/caddytls.certCache
var caddyCertCache *certmagic.Cache

//go:linkname caddyCertCacheMu github.com/caddyserver/caddy/v2/modules/caddytls.certCacheMu
var caddyCertCacheMu sync.RWMutex

// evictCertificates removes from Caddy's certificate cache every
// certificate that has one of names as a SAN.
func evictCertificates(names []string) {
	if len(names) == 0 {
		return
	}
	caddyCertCacheMu.RLock()
	defer caddyCertCacheMu.RUnlock()
	if caddyCertCache == nil {
		return
	}
	var hashes []string
	for _, name := range names {
		for _, cert := range caddyCertCache.AllMatchingCertificates(name) {
			if slices.Contains(cert.Names, name) {
				hashes = append(hashes, cert.Hash())
			}
		}
	}
	caddyCertCache.Remove(hashes)
}

// certificatesChanged runs after a table change: it evicts the cached
// certificates of hosts whose certificate source changed or that are gone,
// and makes sure the stored certificate of a host whose mode became
// internal or auto comes from that mode's CA.
func certificatesChanged(old, next map[string]*compiledRecord) {
	var evict []string
	for host, o := range old {
		n := next[host]
		if n == o {
			continue
		}
		if n == nil || n.rec.TLS.Mode != o.rec.TLS.Mode || n.rec.TLS.CertificatePEM != o.rec.TLS.CertificatePEM {
			evict = append(evict, host)
		}
	}
	evictCertificates(evict)

	for host, n := range next {
		o := old[host]
		if n == o {
			continue
		}
		if m := n.rec.TLS.Mode; (m == tlsInternal || m == tlsAuto) && (o == nil || o.rec.TLS.Mode != m) {
			reconcileStoredCertificate(host, m)
		}
	}
}
