package berthedge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"
)

func init() {
	caddy.RegisterModule(AdminHosts{})
}

// AdminHosts is the host table's API on Caddy's admin endpoint:
//
//	GET    /berth/hosts         the table (keys redacted)
//	PUT    /berth/hosts         replace the table (valid records in, invalid ones reported)
//	GET    /berth/hosts/{host}  one record (key redacted)
//	PUT    /berth/hosts/{host}  set one record
//	DELETE /berth/hosts/{host}  delete one record
//
// Every answer carries the table's ETag; PUT and DELETE honour If-Match.
type AdminHosts struct {
	logger *zap.Logger
}

const (
	maxBulkBody = 64 << 20
	maxHostBody = 1 << 20
	hostsPath   = "/berth/hosts"
)

// CaddyModule returns the Caddy module information.
func (AdminHosts) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "admin.api.berth",
		New: func() caddy.Module { return new(AdminHosts) },
	}
}

// Provision sets up the logger.
func (a *AdminHosts) Provision(ctx caddy.Context) error {
	a.logger = ctx.Logger()
	return nil
}

// Routes implements caddy.AdminRouter.
func (a *AdminHosts) Routes() []caddy.AdminRoute {
	return []caddy.AdminRoute{
		{Pattern: hostsPath, Handler: caddy.AdminHandlerFunc(a.handleTable)},
		{Pattern: hostsPath + "/", Handler: caddy.AdminHandlerFunc(a.handleHost)},
	}
}

func (a *AdminHosts) handleTable(w http.ResponseWriter, r *http.Request) error {
	st := hosts.state.Load()
	w.Header().Set("ETag", hosts.etag(st.gen))
	switch r.Method {
	case http.MethodGet:
		recs := st.sortedRecords()
		out := make([]record, len(recs))
		for i, c := range recs {
			out[i] = redacted(c.rec)
		}
		return writeJSON(w, map[string]any{"etag": hosts.etag(st.gen), "count": len(out), "hosts": out})
	case http.MethodPut:
		return a.replaceTable(w, r)
	default:
		return methodNotAllowed(w, "GET, PUT")
	}
}

type rejection struct {
	Index int    `json:"index"`
	Host  string `json:"host"`
	Error string `json:"error"`
}

// replaceTable replaces the table with the valid records of the body. An
// invalid record is reported in "rejected"; if its host was in the table,
// that host keeps its current record (as with a refused single PUT).
func (a *AdminHosts) replaceTable(w http.ResponseWriter, r *http.Request) error {
	app := runningApp()
	if app == nil {
		return errAppNotRunning
	}
	var body struct {
		Hosts []json.RawMessage `json:"hosts"`
	}
	data, err := readBody(w, r, maxBulkBody)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return badRequest(fmt.Errorf("body: %v", err))
	}
	if body.Hosts == nil {
		return badRequest(errors.New(`body: "hosts" is required`))
	}

	valid := make(map[string]*compiledRecord, len(body.Hosts))
	var keep []string // hosts of rejected records
	rejected := []rejection{}
	for i, raw := range body.Hosts {
		rec, err := decodeRecord(raw)
		var c *compiledRecord
		if err == nil {
			c, err = compileRecord(rec, app.StaticBase)
		}
		if err == nil && valid[rec.Host] != nil {
			err = errors.New("host: duplicate in this request")
		}
		if err != nil {
			host := rec.Host
			if host == "" {
				var h struct{ Host string }
				_ = json.Unmarshal(raw, &h)
				host = h.Host
			}
			rejected = append(rejected, rejection{Index: i, Host: host, Error: err.Error()})
			keep = append(keep, host)
			continue
		}
		valid[rec.Host] = c
	}

	st, err := hosts.update(r.Header.Get("If-Match"), func(cur map[string]*compiledRecord) (map[string]*compiledRecord, error) {
		for _, h := range keep {
			if c := cur[h]; c != nil && valid[h] == nil {
				valid[h] = c
			}
		}
		return valid, nil
	})
	if err != nil {
		return tableError(w, st, err)
	}
	if len(rejected) > 0 {
		a.logger.Warn("host table replaced with rejected records", zap.Int("hosts", len(st.hosts)), zap.Int("rejected", len(rejected)))
	}
	w.Header().Set("ETag", hosts.etag(st.gen))
	return writeJSON(w, map[string]any{"etag": hosts.etag(st.gen), "count": len(st.hosts), "rejected": rejected})
}

func (a *AdminHosts) handleHost(w http.ResponseWriter, r *http.Request) error {
	st := hosts.state.Load()
	w.Header().Set("ETag", hosts.etag(st.gen))
	host := strings.TrimPrefix(r.URL.Path, hostsPath+"/")
	if host == "" || strings.Contains(host, "/") {
		return caddy.APIError{HTTPStatus: http.StatusNotFound, Err: errors.New("not found")}
	}
	switch r.Method {
	case http.MethodGet:
		c := st.hosts[host]
		if c == nil {
			return caddy.APIError{HTTPStatus: http.StatusNotFound, Err: fmt.Errorf("host %q is not in the table", host)}
		}
		return writeJSON(w, redacted(c.rec))
	case http.MethodPut:
		app := runningApp()
		if app == nil {
			return errAppNotRunning
		}
		data, err := readBody(w, r, maxHostBody)
		if err != nil {
			return err
		}
		rec, err := decodeRecord(data)
		if err == nil && rec.Host != host {
			err = fmt.Errorf("host: %q does not match the path's %q", rec.Host, host)
		}
		var c *compiledRecord
		if err == nil {
			c, err = compileRecord(rec, app.StaticBase)
		}
		if err != nil {
			return badRequest(err)
		}
		st, err := hosts.put(r.Header.Get("If-Match"), c)
		if err != nil {
			return tableError(w, st, err)
		}
		w.Header().Set("ETag", hosts.etag(st.gen))
		return writeJSON(w, map[string]any{"etag": hosts.etag(st.gen)})
	case http.MethodDelete:
		st, err := hosts.remove(r.Header.Get("If-Match"), host)
		if err != nil {
			return tableError(w, st, err)
		}
		w.Header().Set("ETag", hosts.etag(st.gen))
		return writeJSON(w, map[string]any{"etag": hosts.etag(st.gen)})
	default:
		return methodNotAllowed(w, "GET, PUT, DELETE")
	}
}

var errAppNotRunning = caddy.APIError{
	HTTPStatus: http.StatusServiceUnavailable,
	Err:        errors.New("the berth app is not running (is apps.berth in the config?)"),
}

// redacted is rec without its private key.
func redacted(rec record) record {
	if rec.TLS.KeyPEM != "" {
		rec.TLS.KeyPEM = redactedKey
	}
	return rec
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, caddy.APIError{HTTPStatus: http.StatusRequestEntityTooLarge, Err: fmt.Errorf("body: larger than %d bytes", limit)}
		}
		return nil, badRequest(fmt.Errorf("body: %v", err))
	}
	return data, nil
}

// tableError turns an error of the table's update into an API error; the
// ETag header is the current one.
func tableError(w http.ResponseWriter, st *tableState, err error) error {
	w.Header().Set("ETag", hosts.etag(st.gen))
	switch {
	case errors.Is(err, errStale):
		return caddy.APIError{HTTPStatus: http.StatusPreconditionFailed, Err: err}
	case errors.Is(err, errNotFound):
		return caddy.APIError{HTTPStatus: http.StatusNotFound, Err: err}
	}
	return err
}

func badRequest(err error) error {
	return caddy.APIError{HTTPStatus: http.StatusBadRequest, Err: err}
}

func methodNotAllowed(w http.ResponseWriter, allow string) error {
	w.Header().Set("Allow", allow)
	return caddy.APIError{HTTPStatus: http.StatusMethodNotAllowed, Err: errors.New("method not allowed")}
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// Interface guards
var (
	_ caddy.Provisioner = (*AdminHosts)(nil)
	_ caddy.AdminRouter = (*AdminHosts)(nil)
)
