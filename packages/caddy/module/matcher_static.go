package berthedge

import (
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	caddy.RegisterModule(MatchStatic{})
}

// MatchStatic matches when the request's path is under one of the static
// prefixes of the host's record (put in the context by berth_host), on a
// segment boundary: prefix /static matches /static and /static/…, not
// /statics.
type MatchStatic struct{}

// CaddyModule returns the Caddy module information.
func (MatchStatic) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.matchers.berth_static",
		New: func() caddy.Module { return new(MatchStatic) },
	}
}

// MatchWithError implements caddyhttp.RequestMatcherWithError.
func (MatchStatic) MatchWithError(r *http.Request) (bool, error) {
	c := recordFrom(r.Context())
	return c != nil && staticPrefix(c, r.URL.Path) != "", nil
}

// Match implements caddyhttp.RequestMatcher.
func (m MatchStatic) Match(r *http.Request) bool {
	ok, _ := m.MatchWithError(r)
	return ok
}

// staticPrefix returns the record's static prefix that path is under, or "".
func staticPrefix(c *compiledRecord, path string) string {
	if c.rec.Static == nil {
		return ""
	}
	for _, p := range c.rec.Static.Prefixes {
		if rest, ok := strings.CutPrefix(path, p); ok && (rest == "" || rest[0] == '/') {
			return p
		}
	}
	return ""
}

// Interface guards
var (
	_ caddyhttp.RequestMatcherWithError = (*MatchStatic)(nil)
	_ caddyhttp.RequestMatcher          = (*MatchStatic)(nil)
)
