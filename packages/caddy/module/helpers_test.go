package berthedge

import (
	"context"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"
)

// resetHosts empties the process-wide table (generation 0).
func resetHosts(t testing.TB) {
	t.Helper()
	hosts.mu.Lock()
	hosts.state.Store(&tableState{hosts: map[string]*compiledRecord{}})
	hosts.mu.Unlock()
	hosts.snapMu.Lock()
	hosts.snapSaved = 0
	hosts.snapMu.Unlock()
}

// runTestApp registers a running app on temp dirs, as App.Start would
// (without loading a snapshot), and unregisters it at the end of the test.
func runTestApp(t testing.TB) *App {
	t.Helper()
	dir := t.TempDir()
	app := &App{
		Snapshot:   filepath.Join(dir, "hosts.json"),
		StaticBase: filepath.Join(dir, "tenants"),
		LogsDir:    filepath.Join(dir, "logs"),
		logger:     zap.NewNop(),
	}
	if err := os.MkdirAll(app.StaticBase, 0o755); err != nil {
		t.Fatal(err)
	}
	// defaults as Provision sets them
	app.LogRollSizeMB, app.LogRollKeep, app.HTTPPort, app.HTTPSPort = 50, 5, 80, 443
	app.SuspendedPage, app.NotFoundBody = defaultSuspendedPage, defaultNotFoundBody
	running.add(app)
	t.Cleanup(func() {
		running.remove(app)
		hostLogs.closeAll()
		// wait for a snapshot write in progress; later ones see no app
		hosts.snapMu.Lock()
		hosts.snapMu.Unlock() //nolint:staticcheck // barrier
	})
	return app
}

func mustCompile(t testing.TB, rec record, base string) *compiledRecord {
	t.Helper()
	c, err := compileRecord(rec, base)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func proxyRecord(host, upstream string) record {
	return record{Host: host, Tenant: "tnt_a", Site: "sit_a", Domain: "dom_a", Action: actionProxy,
		Upstream: upstream, TLS: tlsConfig{Mode: tlsInternal}}
}

// contextWithRecord is the request context berth_host leaves behind: Caddy's
// vars map holding the host's record.
func contextWithRecord(r *http.Request, c *compiledRecord) context.Context {
	return context.WithValue(r.Context(), caddyhttp.VarsCtxKey, map[string]any{recordVar: c})
}
