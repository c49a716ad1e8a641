package berthedge

import (
	"context"
	"fmt"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddytls"
)

func init() {
	caddy.RegisterModule(TLSPermission{})
}

// TLSPermission allows on-demand certificates (obtaining one, or loading
// one from storage) only for hosts in the table with tls.mode auto or
// internal. Everything else, including names not in the table, is denied.
type TLSPermission struct{}

// CaddyModule returns the Caddy module information.
func (TLSPermission) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "tls.permission.berth",
		New: func() caddy.Module { return new(TLSPermission) },
	}
}

// CertificateAllowed implements caddytls.OnDemandPermission.
func (TLSPermission) CertificateAllowed(_ context.Context, name string) error {
	c := hosts.lookup(name)
	if c == nil {
		return fmt.Errorf("%w: %s is not in the host table", caddytls.ErrPermissionDenied, name)
	}
	if m := c.rec.TLS.Mode; m != tlsAuto && m != tlsInternal {
		return fmt.Errorf("%w: %s has tls mode %q", caddytls.ErrPermissionDenied, name, m)
	}
	return nil
}

// Interface guards
var _ caddytls.OnDemandPermission = (*TLSPermission)(nil)
