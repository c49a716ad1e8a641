package berthedge

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddypki"
	"github.com/caddyserver/caddy/v2/modules/caddytls"
	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
)

func init() {
	caddy.RegisterModule(TLSIssuer{})
}

// issuerKey is the storage key of every certificate this issuer obtains,
// whichever CA issued it (see reconcileStoredCertificate).
const issuerKey = "berth"

// TLSIssuer issues with Caddy's internal CA for hosts with tls.mode
// internal and with ACME for tls.mode auto, chosen by the host's record at
// issuance time.
type TLSIssuer struct {
	// The internal issuer (tls.issuance.internal), for mode internal.
	Internal *caddytls.InternalIssuer `json:"internal,omitempty"`
	// The ACME issuer (tls.issuance.acme), for mode auto.
	ACME *caddytls.ACMEIssuer `json:"acme,omitempty"`

	storage certmagic.Storage
	roots   *x509.CertPool // root of the internal CA
	logger  *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (TLSIssuer) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "tls.issuance.berth",
		New: func() caddy.Module { return new(TLSIssuer) },
	}
}

// Provision provisions both issuers.
func (iss *TLSIssuer) Provision(ctx caddy.Context) error {
	iss.logger = ctx.Logger()
	if iss.Internal == nil {
		iss.Internal = new(caddytls.InternalIssuer)
	}
	if iss.ACME == nil {
		iss.ACME = new(caddytls.ACMEIssuer)
	}
	if err := iss.Internal.Provision(ctx); err != nil {
		return fmt.Errorf("internal: %v", err)
	}
	if err := iss.ACME.Provision(ctx); err != nil {
		return fmt.Errorf("acme: %v", err)
	}
	pkiApp, err := ctx.App("pki")
	if err != nil {
		return err
	}
	ca, err := pkiApp.(*caddypki.PKI).GetCA(ctx, iss.Internal.CA)
	if err != nil {
		return err
	}
	iss.roots = x509.NewCertPool()
	iss.roots.AddCert(ca.RootCertificate())
	iss.storage = ctx.Storage()
	issuers.add(iss)
	return nil
}

// Cleanup unregisters the issuer.
func (iss *TLSIssuer) Cleanup() error {
	issuers.remove(iss)
	return nil
}

// issuers holds the provisioned TLSIssuers; the last one is current.
var issuers liveSet[*TLSIssuer]

// SetConfig passes CertMagic's config to the ACME issuer, which needs it to
// solve challenges (caddytls.ConfigSetter).
func (iss *TLSIssuer) SetConfig(cfg *certmagic.Config) {
	iss.ACME.SetConfig(cfg)
}

// GetACMEIssuer exposes the ACME issuer, so that the HTTP app fills in its
// challenge ports and Caddy's HTTP servers answer its HTTP-01 challenges.
func (iss *TLSIssuer) GetACMEIssuer() *caddytls.ACMEIssuer { return iss.ACME }

// IssuerKey is the same for both CAs, so a host's certificate is found in
// storage whichever issued it.
func (iss *TLSIssuer) IssuerKey() string { return issuerKey }

// pick returns the issuer for the names' records: all must be in the table
// with one mode, internal or auto.
func (iss *TLSIssuer) pick(names []string) (certmagic.Issuer, string, error) {
	if len(names) == 0 {
		return nil, "", errors.New("berth issuer: no names")
	}
	mode := ""
	for _, name := range names {
		c := hosts.lookup(name)
		if c == nil {
			return nil, "", fmt.Errorf("berth issuer: %s is not in the host table", name)
		}
		if mode != "" && c.rec.TLS.Mode != mode {
			return nil, "", fmt.Errorf("berth issuer: names have different tls modes")
		}
		mode = c.rec.TLS.Mode
	}
	switch mode {
	case tlsInternal:
		return iss.Internal, mode, nil
	case tlsAuto:
		return iss.ACME, mode, nil
	}
	return nil, "", fmt.Errorf("berth issuer: %s has tls mode %q, not auto or internal", names[0], mode)
}

// Issue implements certmagic.Issuer.
func (iss *TLSIssuer) Issue(ctx context.Context, csr *x509.CertificateRequest) (*certmagic.IssuedCertificate, error) {
	if len(csr.IPAddresses) > 0 || len(csr.URIs) > 0 || len(csr.EmailAddresses) > 0 {
		return nil, errors.New("berth issuer: only DNS names are issued")
	}
	names := csr.DNSNames
	if len(names) == 0 && csr.Subject.CommonName != "" {
		names = []string{csr.Subject.CommonName}
	}
	issuer, mode, err := iss.pick(names)
	if err != nil {
		return nil, err
	}
	iss.logger.Info("issuing certificate", zap.Strings("names", names), zap.String("mode", mode))
	return issuer.Issue(ctx, csr)
}

// PreCheck implements certmagic.PreChecker (ACME only).
func (iss *TLSIssuer) PreCheck(ctx context.Context, names []string, interactive bool) error {
	issuer, _, err := iss.pick(names)
	if err != nil {
		return err
	}
	if pc, ok := issuer.(certmagic.PreChecker); ok {
		return pc.PreCheck(ctx, names, interactive)
	}
	return nil
}

// Revoke implements certmagic.Revoker: ACME certificates are revoked with
// the ACME CA; the internal CA has no revocation.
func (iss *TLSIssuer) Revoke(ctx context.Context, cert certmagic.CertificateResource, reason int) error {
	if iss.issuedInternally(cert.CertificatePEM) {
		return errors.New("berth issuer: certificates of the internal CA cannot be revoked")
	}
	return iss.ACME.Revoke(ctx, cert, reason)
}

// issuedInternally reports whether the PEM chain's leaf chains up to the
// internal CA's root (validity periods ignored).
func (iss *TLSIssuer) issuedInternally(chainPEM []byte) bool {
	var certs []*x509.Certificate
	for rest := chainPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil && block.Type == "CERTIFICATE" {
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return false
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         iss.roots,
		Intermediates: inter,
		CurrentTime:   certs[0].NotBefore.Add(time.Minute),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil
}

// reconcileStoredCertificate deletes host's stored certificate (issuer key
// "berth") when it was not issued by the CA of mode (internal or auto), so
// that the next handshake obtains one from the right CA instead of loading
// the other one. Both CAs store under the one issuer key, so this runs
// whenever a host's mode becomes internal or auto.
func reconcileStoredCertificate(host, mode string) {
	iss := issuers.current()
	if iss == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	certPEM, err := iss.storage.Load(ctx, certmagic.StorageKeys.SiteCert(issuerKey, host))
	if err != nil {
		return // none stored (or unreadable: then it cannot be loaded either)
	}
	if iss.issuedInternally(certPEM) == (mode == tlsInternal) {
		return
	}
	for _, key := range []string{
		certmagic.StorageKeys.SiteCert(issuerKey, host),
		certmagic.StorageKeys.SitePrivateKey(issuerKey, host),
		certmagic.StorageKeys.SiteMeta(issuerKey, host),
	} {
		if err := iss.storage.Delete(ctx, key); err != nil && !errors.Is(err, fs.ErrNotExist) {
			iss.logger.Error("deleting stored certificate", zap.String("host", host), zap.String("key", key), zap.Error(err))
		}
	}
	iss.logger.Info("deleted stored certificate of the other CA", zap.String("host", host), zap.String("mode", mode))
}

// Interface guards
var (
	_ caddy.Provisioner     = (*TLSIssuer)(nil)
	_ caddy.CleanerUpper    = (*TLSIssuer)(nil)
	_ certmagic.Issuer      = (*TLSIssuer)(nil)
	_ certmagic.PreChecker  = (*TLSIssuer)(nil)
	_ certmagic.Revoker     = (*TLSIssuer)(nil)
	_ caddytls.ConfigSetter = (*TLSIssuer)(nil)
)
