// Package berthedge is Berth's Caddy modules: an in-memory host table
// edited through Caddy's admin API and snapshotted to disk, and the HTTP
// and TLS modules that serve from it (see README.md).
package berthedge

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"
)

func init() {
	caddy.RegisterModule(App{})
}

// App configures the host table: where it is snapshotted, where static
// roots and access logs live, the public ports and the built-in pages.
// The table itself is process-wide (see hosts_table.go).
type App struct {
	// Absolute path of the table's snapshot file.
	Snapshot string `json:"snapshot,omitempty"`
	// Absolute directory every static.root must be inside.
	StaticBase string `json:"static_base,omitempty"`
	// Absolute directory of the per-host access logs: <logs_dir>/<tenant>/<host>.log.
	LogsDir string `json:"logs_dir,omitempty"`
	// Size in MiB at which an access log is rolled. Default: 50.
	LogRollSizeMB int `json:"log_roll_size_mb,omitempty"`
	// Rolled access logs kept per host. Default: 5.
	LogRollKeep int `json:"log_roll_keep,omitempty"`
	// Public HTTP port, for redirects. Default: 80.
	HTTPPort int `json:"http_port,omitempty"`
	// Public HTTPS port, for redirects. Default: 443.
	HTTPSPort int `json:"https_port,omitempty"`
	// HTML body of the 503 answer for suspended hosts.
	SuspendedPage string `json:"suspended_page,omitempty"`
	// Plain-text body of the 404 answer for unknown hosts.
	NotFoundBody string `json:"not_found_body,omitempty"`

	logger *zap.Logger
}

const (
	defaultSuspendedPage = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Site suspended</title></head>\n" +
		"<body><h1>Site suspended</h1><p>This site is temporarily unavailable.</p></body></html>\n"
	defaultNotFoundBody = "No site is configured at this address.\n"
)

// CaddyModule returns the Caddy module information.
func (App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "berth",
		New: func() caddy.Module { return new(App) },
	}
}

// Provision sets defaults and, if the table was never written in this
// process, loads the snapshot.
func (a *App) Provision(ctx caddy.Context) error {
	a.logger = ctx.Logger()
	if a.LogRollSizeMB == 0 {
		a.LogRollSizeMB = 50
	}
	if a.LogRollKeep == 0 {
		a.LogRollKeep = 5
	}
	if a.HTTPPort == 0 {
		a.HTTPPort = 80
	}
	if a.HTTPSPort == 0 {
		a.HTTPSPort = 443
	}
	if a.SuspendedPage == "" {
		a.SuspendedPage = defaultSuspendedPage
	}
	if a.NotFoundBody == "" {
		a.NotFoundBody = defaultNotFoundBody
	}
	if err := a.Validate(); err != nil {
		return err
	}
	// loaded here rather than in Start so that every host is in the table
	// before the HTTP app (started in any order) serves a request
	hosts.loadSnapshot(a.Snapshot, a.StaticBase, a.logger)
	return nil
}

// Validate checks the paths and numbers.
func (a *App) Validate() error {
	for _, p := range []struct{ name, value string }{
		{"snapshot", a.Snapshot}, {"static_base", a.StaticBase}, {"logs_dir", a.LogsDir},
	} {
		if !filepath.IsAbs(p.value) || filepath.Clean(p.value) != p.value {
			return fmt.Errorf("%s: %q is not a clean absolute path", p.name, p.value)
		}
	}
	for _, p := range []struct {
		name  string
		value int
	}{{"http_port", a.HTTPPort}, {"https_port", a.HTTPSPort}} {
		if p.value < 1 || p.value > 65535 {
			return fmt.Errorf("%s: %d is not a port", p.name, p.value)
		}
	}
	if a.LogRollSizeMB < 1 || a.LogRollKeep < 1 {
		return fmt.Errorf("log_roll_size_mb and log_roll_keep must be positive")
	}
	return nil
}

// Start makes a the running app: the admin API validates against its
// static_base and the table is snapshotted to its path.
func (a *App) Start() error {
	running.add(a)
	hosts.scheduleSnapshot() // writes to a's path if the table changed since the last write
	return nil
}

// Stop writes pending changes of the table and access logs.
func (a *App) Stop() error {
	hosts.flushSnapshot()
	running.remove(a)
	hostLogs.flushAll()
	return nil
}

// Cleanup closes the access log files once no app is running; they are
// opened again on the next request that logs.
func (a *App) Cleanup() error {
	if runningApp() == nil {
		hostLogs.closeAll()
	}
	return nil
}

// running holds the started apps; during a config reload the new one is
// started before the old one is stopped, so the last one is current.
var running liveSet[*App]

func runningApp() *App { return running.current() }

// liveSet is a set of module instances of which the most recently added
// one is current.
type liveSet[T comparable] struct {
	mu    sync.Mutex
	items []T
}

func (s *liveSet[T]) add(v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(slices.DeleteFunc(s.items, func(x T) bool { return x == v }), v)
}

func (s *liveSet[T]) remove(v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = slices.DeleteFunc(s.items, func(x T) bool { return x == v })
}

func (s *liveSet[T]) current() T {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero T
	if len(s.items) == 0 {
		return zero
	}
	return s.items[len(s.items)-1]
}

// Interface guards
var (
	_ caddy.App          = (*App)(nil)
	_ caddy.Provisioner  = (*App)(nil)
	_ caddy.Validator    = (*App)(nil)
	_ caddy.CleanerUpper = (*App)(nil)
)
