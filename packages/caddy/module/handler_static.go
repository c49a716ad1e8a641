package berthedge

import (
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
)

func init() {
	caddy.RegisterModule(StaticHandler{})
}

// StaticHandler serves the file a static prefix of the host's record
// points at, from the record's static root, through static_fs.go (which
// never leaves that root). GET and HEAD only; anything not found, hidden
// or refused is a 404.
type StaticHandler struct {
	app    *App
	logger *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (StaticHandler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.berth_static",
		New: func() caddy.Module { return new(StaticHandler) },
	}
}

// Provision gets the berth app.
func (h *StaticHandler) Provision(ctx caddy.Context) error {
	app, err := ctx.App("berth")
	if err != nil {
		return err
	}
	h.app = app.(*App)
	h.logger = ctx.Logger()
	return nil
}

func (h *StaticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	c := recordFrom(r.Context())
	if c == nil || staticPrefix(c, r.URL.Path) == "" {
		return notFound(w)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return nil
	}
	f, info, err := openStatic(h.app.StaticBase, c.rec.Static.Root, r.URL.Path)
	if err != nil {
		h.logger.Debug("static file not served", zap.String("host", c.rec.Host), zap.String("path", r.URL.Path), zap.Error(err))
		return notFound(w)
	}
	defer f.Close()

	hdr := w.Header()
	ctype := mime.TypeByExtension(path.Ext(info.Name()))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	hdr.Set("Content-Type", ctype)
	hdr.Set("Etag", `"`+strconv.FormatInt(info.ModTime().UnixNano(), 36)+strconv.FormatInt(info.Size(), 36)+`"`)
	http.ServeContent(w, r, info.Name(), info.ModTime(), f)
	return nil
}

func notFound(w http.ResponseWriter) error {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "404 page not found\n")
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*StaticHandler)(nil)
	_ caddyhttp.MiddlewareHandler = (*StaticHandler)(nil)
)
