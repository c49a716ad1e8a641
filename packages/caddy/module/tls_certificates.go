package berthedge

import (
	"context"
	"crypto/tls"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/certmagic"
)

func init() {
	caddy.RegisterModule(CertificateGetter{})
}

// CertificateGetter serves a host's uploaded certificate (tls.mode custom)
// for that exact host only: the lookup is by the handshake's server name,
// never by the certificate's other SANs. For every other name it returns
// no certificate, so CertMagic goes on to on-demand issuance, which asks
// the berth permission module.
//
// CertMagic (v0.25.6, handshake.go getCertFromAnyCertManager) does not put
// a Manager's certificate in its cache, so an uploaded certificate that
// also lists b.test never answers a handshake for b.test.
type CertificateGetter struct{}

// CaddyModule returns the Caddy module information.
func (CertificateGetter) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "tls.get_certificate.berth",
		New: func() caddy.Module { return new(CertificateGetter) },
	}
}

// GetCertificate implements certmagic.Manager.
func (CertificateGetter) GetCertificate(_ context.Context, hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	c := hosts.lookup(strings.TrimSuffix(strings.ToLower(hello.ServerName), "."))
	if c == nil || c.cert == nil {
		return nil, nil
	}
	return c.cert, nil
}

// Interface guards
var _ certmagic.Manager = (*CertificateGetter)(nil)
