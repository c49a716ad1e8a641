package berthedge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	caddy.RegisterModule(HostHandler{})
}

// HostHandler looks the request's host up in the table. It answers unknown
// hosts, suspended hosts, redirects, canonical redirects and HTTP→HTTPS
// itself; for proxy hosts it sets the berth_* variables, puts the record in
// the request context (for berth_static and the berth upstream source) and
// calls the next handler. Hosts with log: true get a JSON access log line.
type HostHandler struct {
	// "http" or "https": which server this handler is in.
	Scheme string `json:"scheme,omitempty"`

	app *App
}

// CaddyModule returns the Caddy module information.
func (HostHandler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.berth_host",
		New: func() caddy.Module { return new(HostHandler) },
	}
}

// Provision gets the berth app.
func (h *HostHandler) Provision(ctx caddy.Context) error {
	app, err := ctx.App("berth")
	if err != nil {
		return err
	}
	h.app = app.(*App)
	return nil
}

// Validate checks the scheme.
func (h *HostHandler) Validate() error {
	if h.Scheme != "http" && h.Scheme != "https" {
		return fmt.Errorf(`scheme: %q is not "http" or "https"`, h.Scheme)
	}
	return nil
}

// recordVar is the request variable holding the host's *compiledRecord. It
// lives in Caddy's per-request vars map (already in the context), so handing
// the record on costs a map entry, not a copy of the request.
const recordVar = "berth.record"

// recordFrom returns the record berth_host put in the request's vars, or nil.
func recordFrom(ctx context.Context) *compiledRecord {
	c, _ := caddyhttp.GetVar(ctx, recordVar).(*compiledRecord)
	return c
}

// requestHost is r.Host without port, lower-cased, without trailing dot.
func requestHost(hostport string) string {
	h := hostport
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func (h *HostHandler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	host := requestHost(r.Host)
	c := hosts.lookup(host)
	if c == nil || (h.Scheme == "https" && c.rec.TLS.Mode == tlsOff) {
		return h.notFound(w)
	}
	if !c.rec.Log {
		return h.serve(w, r, next, c)
	}

	start := time.Now()
	lw := &logWriter{ResponseWriter: w}
	err := h.serve(lw, r, next, c)
	status := lw.status
	if status == 0 {
		status = http.StatusOK
		if err != nil { // the server writes the error status after we return
			status = http.StatusInternalServerError
			var he caddyhttp.HandlerError
			if errors.As(err, &he) && he.StatusCode != 0 {
				status = he.StatusCode
			}
		}
	}
	end := time.Now()
	bp := linePool.Get().(*[]byte)
	line := appendLogLine((*bp)[:0], r, c.rec.Host, start, status, lw.size, end)
	hostLogs.write(h.app, c.rec.Tenant, c.rec.Host, line, end)
	if cap(line) <= 64<<10 { // do not keep buffers grown by huge URIs
		*bp = line
		linePool.Put(bp)
	}
	return err
}

func (h *HostHandler) serve(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, c *compiledRecord) error {
	rec := &c.rec
	if h.Scheme == "http" && rec.TLS.Mode != tlsOff {
		return redirect(w, http.StatusPermanentRedirect, "https://"+rec.Host+h.portSuffix("https")+requestURI(r))
	}
	switch rec.Action {
	case actionSuspended:
		hdr := w.Header()
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, h.app.SuspendedPage)
		return nil
	case actionRedirect:
		to := rec.Redirect.To
		if rec.Redirect.PreservePath {
			to = strings.TrimSuffix(to, "/") + requestURI(r)
		}
		return redirect(w, rec.Redirect.Status, to)
	case actionCanonical:
		scheme := "https"
		if rec.TLS.Mode == tlsOff {
			scheme = "http"
		}
		return redirect(w, http.StatusMovedPermanently, scheme+"://"+rec.Canonical+h.portSuffix(scheme)+requestURI(r))
	}

	// proxy
	ctx := r.Context()
	caddyhttp.SetVar(ctx, "berth_tenant", c.tenantVar)
	caddyhttp.SetVar(ctx, "berth_site", c.siteVar)
	caddyhttp.SetVar(ctx, "berth_domain", c.domainVar)
	caddyhttp.SetVar(ctx, "berth_upstream", c.upstreamVar)
	caddyhttp.SetVar(ctx, recordVar, c)
	return next.ServeHTTP(w, r)
}

func (h *HostHandler) notFound(w http.ResponseWriter) error {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, h.app.NotFoundBody)
	return nil
}

// portSuffix is ":<port>" of the app's port for scheme, or "" when it is
// the scheme's default.
func (h *HostHandler) portSuffix(scheme string) string {
	if scheme == "https" {
		if h.app.HTTPSPort == 443 {
			return ""
		}
		return ":" + strconv.Itoa(h.app.HTTPSPort)
	}
	if h.app.HTTPPort == 80 {
		return ""
	}
	return ":" + strconv.Itoa(h.app.HTTPPort)
}

// requestURI is the origin-form request target (path and query).
func requestURI(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	if u := r.URL.RequestURI(); strings.HasPrefix(u, "/") {
		return u
	}
	return "/"
}

func redirect(w http.ResponseWriter, status int, location string) error {
	w.Header().Set("Location", location)
	w.WriteHeader(status)
	return nil
}

// logWriter records the status and the body size of a response for the
// access log. It is the only wrapper added per logged request.
type logWriter struct {
	http.ResponseWriter
	status int
	size   int64
}

func (w *logWriter) WriteHeader(code int) {
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

// ReadFrom keeps sendfile working for static files.
func (w *logWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, r)
	w.size += n
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and Hijack.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Interface guards
var (
	_ caddy.Provisioner           = (*HostHandler)(nil)
	_ caddy.Validator             = (*HostHandler)(nil)
	_ caddyhttp.MiddlewareHandler = (*HostHandler)(nil)
	_ io.ReaderFrom               = (*logWriter)(nil)
)
