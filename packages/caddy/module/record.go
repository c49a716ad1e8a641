package berthedge

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
)

// record is one host of the table, exactly as the panel sends it (see
// README.md, "Record"). It is decoded with unknown fields refused.
type record struct {
	Host      string          `json:"host"`
	Tenant    string          `json:"tenant"`
	Site      string          `json:"site"`
	Domain    string          `json:"domain"`
	Action    string          `json:"action"`
	Upstream  string          `json:"upstream,omitempty"`
	Static    *staticConfig   `json:"static,omitempty"`
	Redirect  *redirectConfig `json:"redirect,omitempty"`
	Canonical string          `json:"canonical,omitempty"`
	TLS       tlsConfig       `json:"tls"`
	Log       bool            `json:"log,omitempty"`
	WAF       string          `json:"waf,omitempty"`
	RateLimit string          `json:"rate_limit,omitempty"`
}

type staticConfig struct {
	Root     string   `json:"root"`
	Prefixes []string `json:"prefixes"`
}

type redirectConfig struct {
	To           string `json:"to"`
	Status       int    `json:"status"`
	PreservePath bool   `json:"preserve_path,omitempty"`
}

type tlsConfig struct {
	Mode           string `json:"mode"`
	CertificatePEM string `json:"certificate_pem,omitempty"`
	KeyPEM         string `json:"key_pem,omitempty"`
}

const (
	actionProxy     = "proxy"
	actionRedirect  = "redirect"
	actionCanonical = "canonical"
	actionSuspended = "suspended"

	tlsAuto     = "auto"
	tlsInternal = "internal"
	tlsCustom   = "custom"
	tlsOff      = "off"

	redactedKey = "<redacted>"

	maxHostLen     = 253
	maxRedirectLen = 2048
	maxPrefixes    = 8
)

// compiledRecord is a validated record with everything the request and
// handshake paths need already parsed. It is immutable once published in
// the table.
type compiledRecord struct {
	rec  record
	cert *tls.Certificate // parsed chain and key, tls.mode custom only

	// request variables, boxed once here so that setting them per request
	// does not allocate
	tenantVar, siteVar, domainVar, upstreamVar any
}

// decodeRecord decodes one record, refusing unknown fields and trailing data.
func decodeRecord(data []byte) (record, error) {
	var rec record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return record{}, fmt.Errorf("%s: expected %s, got %s", te.Field, te.Type, te.Value)
		}
		return record{}, fmt.Errorf("record: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return record{}, errors.New("record: unexpected data after the record")
	}
	return rec, nil
}

// compileRecord validates rec and pre-parses what the hot paths need.
func compileRecord(rec record, staticBase string) (*compiledRecord, error) {
	cert, err := checkRecord(&rec, staticBase)
	if err != nil {
		return nil, err
	}
	return &compiledRecord{
		rec:         rec,
		cert:        cert,
		tenantVar:   rec.Tenant,
		siteVar:     rec.Site,
		domainVar:   rec.Domain,
		upstreamVar: rec.Upstream,
	}, nil
}

// validateRecord reports the first problem of rec, naming the field.
func validateRecord(rec record, staticBase string) error {
	_, err := checkRecord(&rec, staticBase)
	return err
}

func checkRecord(rec *record, staticBase string) (*tls.Certificate, error) {
	if err := checkHost("host", rec.Host); err != nil {
		return nil, err
	}
	for _, id := range []struct{ field, value string }{
		{"tenant", rec.Tenant}, {"site", rec.Site}, {"domain", rec.Domain},
	} {
		if !isID(id.value) {
			return nil, fmt.Errorf("%s: %q is not an id ([A-Za-z0-9_-]{1,64})", id.field, id.value)
		}
	}

	// fields that belong to an action
	belongs := map[string]bool{}
	switch rec.Action {
	case actionProxy:
		belongs["upstream"], belongs["static"] = true, true
	case actionRedirect:
		belongs["redirect"] = true
	case actionCanonical:
		belongs["canonical"] = true
	case actionSuspended:
	default:
		return nil, fmt.Errorf("action: %q is not one of proxy, redirect, canonical, suspended", rec.Action)
	}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"upstream", rec.Upstream != ""},
		{"static", rec.Static != nil},
		{"redirect", rec.Redirect != nil},
		{"canonical", rec.Canonical != ""},
	} {
		if f.set && !belongs[f.name] {
			return nil, fmt.Errorf("%s: not allowed with action %q", f.name, rec.Action)
		}
	}

	switch rec.Action {
	case actionProxy:
		if rec.Upstream == "" {
			return nil, errors.New(`upstream: is required with action "proxy"`)
		}
		if ap, err := netip.ParseAddrPort(rec.Upstream); err != nil || ap.Port() == 0 || ap.Addr().Zone() != "" {
			return nil, fmt.Errorf("upstream: %q is not IP:port", rec.Upstream)
		}
		if rec.Static != nil {
			if err := checkStatic(rec.Static, staticBase); err != nil {
				return nil, err
			}
		}
	case actionRedirect:
		if rec.Redirect == nil {
			return nil, errors.New(`redirect: is required with action "redirect"`)
		}
		if err := checkRedirect(rec.Redirect); err != nil {
			return nil, err
		}
	case actionCanonical:
		if rec.Canonical == "" {
			return nil, errors.New(`canonical: is required with action "canonical"`)
		}
		if err := checkHost("canonical", rec.Canonical); err != nil {
			return nil, err
		}
		if rec.Canonical == rec.Host {
			return nil, fmt.Errorf("canonical: %q equals host (redirect loop)", rec.Canonical)
		}
	}

	cert, err := checkTLS(&rec.TLS)
	if err != nil {
		return nil, err
	}
	if rec.WAF != "" && rec.WAF != "off" {
		return nil, fmt.Errorf(`waf: %q is reserved for the WAF feature; only "" or "off" is accepted`, rec.WAF)
	}
	if rec.RateLimit != "" {
		return nil, fmt.Errorf(`rate_limit: %q is reserved for the rate limit feature; only "" is accepted`, rec.RateLimit)
	}
	return cert, nil
}

// checkHost checks a lower-case ASCII DNS name of RFC 1123 labels.
func checkHost(field, h string) error {
	switch {
	case h == "":
		return fmt.Errorf("%s: is required", field)
	case len(h) > maxHostLen:
		return fmt.Errorf("%s: longer than %d characters", field, maxHostLen)
	case strings.Contains(h, "*"):
		return fmt.Errorf("%s: %q: wildcards are not allowed", field, h)
	case strings.Contains(h, ":"):
		return fmt.Errorf("%s: %q: a port (or IPv6 address) is not allowed", field, h)
	case strings.HasSuffix(h, "."):
		return fmt.Errorf("%s: %q: trailing dot is not allowed", field, h)
	case strings.ToLower(h) != h:
		return fmt.Errorf("%s: %q is not lower-case", field, h)
	}
	for label := range strings.SplitSeq(h, ".") {
		if !isLabel(label) {
			return fmt.Errorf("%s: %q: label %q is not an RFC 1123 label", field, h, label)
		}
	}
	return nil
}

func isLabel(l string) bool {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func checkRedirect(rd *redirectConfig) error {
	switch {
	case rd.To == "":
		return errors.New("redirect.to: is required")
	case len(rd.To) > maxRedirectLen:
		return fmt.Errorf("redirect.to: longer than %d characters", maxRedirectLen)
	}
	for i := 0; i < len(rd.To); i++ {
		if c := rd.To[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("redirect.to: %q contains whitespace, control or non-ASCII characters", rd.To)
		}
	}
	u, err := url.Parse(rd.To)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("redirect.to: %q is not an absolute http(s) URL", rd.To)
	}
	switch rd.Status {
	case 301, 302, 307, 308:
	default:
		return fmt.Errorf("redirect.status: %d is not one of 301, 302, 307, 308", rd.Status)
	}
	return nil
}

func checkStatic(st *staticConfig, staticBase string) error {
	switch {
	case staticBase == "":
		return errors.New("static.root: no static_base is configured")
	case !filepath.IsAbs(st.Root):
		return fmt.Errorf("static.root: %q is not absolute", st.Root)
	case filepath.Clean(st.Root) != st.Root:
		return fmt.Errorf("static.root: %q is not clean (no .., //, trailing /)", st.Root)
	case !isInside(st.Root, staticBase):
		return fmt.Errorf("static.root: %q is not inside static_base %q", st.Root, staticBase)
	}
	if len(st.Prefixes) < 1 || len(st.Prefixes) > maxPrefixes {
		return fmt.Errorf("static.prefixes: needs 1 to %d prefixes, got %d", maxPrefixes, len(st.Prefixes))
	}
	seen := make(map[string]bool, len(st.Prefixes))
	for i, p := range st.Prefixes {
		if err := checkPrefix(p); err != nil {
			return fmt.Errorf("static.prefixes[%d]: %q %v", i, p, err)
		}
		if seen[p] {
			return fmt.Errorf("static.prefixes[%d]: %q is a duplicate", i, p)
		}
		seen[p] = true
	}
	return nil
}

// isInside reports whether p is strictly below dir (both clean, absolute).
func isInside(p, dir string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}

func checkPrefix(p string) error {
	if !strings.HasPrefix(p, "/") || p == "/" {
		return errors.New("must be / followed by at least one segment")
	}
	if strings.HasSuffix(p, "/") {
		return errors.New("must not end with /")
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "" {
			return errors.New("has an empty segment")
		}
		if seg == "." || seg == ".." {
			return errors.New(`has a "." or ".." segment`)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return errors.New("has a character outside [A-Za-z0-9._-]")
			}
		}
	}
	return nil
}

func checkTLS(t *tlsConfig) (*tls.Certificate, error) {
	switch t.Mode {
	case tlsAuto, tlsInternal, tlsOff:
		if t.CertificatePEM != "" {
			return nil, fmt.Errorf(`tls.certificate_pem: only allowed with mode "custom", not %q`, t.Mode)
		}
		if t.KeyPEM != "" {
			return nil, fmt.Errorf(`tls.key_pem: only allowed with mode "custom", not %q`, t.Mode)
		}
		return nil, nil
	case tlsCustom:
	default:
		return nil, fmt.Errorf("tls.mode: %q is not one of auto, internal, custom, off", t.Mode)
	}
	if t.CertificatePEM == "" {
		return nil, errors.New(`tls.certificate_pem: is required with mode "custom"`)
	}
	if t.KeyPEM == "" {
		return nil, errors.New(`tls.key_pem: is required with mode "custom"`)
	}
	rest := []byte(t.CertificatePEM)
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("tls.certificate_pem: unexpected PEM block %q", block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, fmt.Errorf("tls.certificate_pem: certificate %d: %v", n, err)
		}
		n++
	}
	if n == 0 {
		return nil, errors.New("tls.certificate_pem: no CERTIFICATE block")
	}
	cert, err := tls.X509KeyPair([]byte(t.CertificatePEM), []byte(t.KeyPEM))
	if err != nil {
		return nil, fmt.Errorf("tls.key_pem: %v", err)
	}
	return &cert, nil
}
