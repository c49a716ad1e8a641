package berthedge

import (
	"errors"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
)

func init() {
	caddy.RegisterModule(UpstreamSource{})
}

// UpstreamSource gives reverse_proxy the upstream of the host's record (put
// in the request context by berth_host). reverse_proxy keeps one host state
// (passive health, connection counts) per dial address.
type UpstreamSource struct{}

// CaddyModule returns the Caddy module information.
func (UpstreamSource) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.reverse_proxy.upstreams.berth",
		New: func() caddy.Module { return new(UpstreamSource) },
	}
}

var errNoUpstream = errors.New("berth: request has no proxy record (is berth_host before reverse_proxy?)")

// GetUpstreams implements reverseproxy.UpstreamSource.
func (UpstreamSource) GetUpstreams(r *http.Request) ([]*reverseproxy.Upstream, error) {
	c := recordFrom(r.Context())
	if c == nil || c.rec.Action != actionProxy {
		return nil, errNoUpstream
	}
	return []*reverseproxy.Upstream{{Dial: c.rec.Upstream}}, nil
}

// Interface guards
var _ reverseproxy.UpstreamSource = (*UpstreamSource)(nil)
