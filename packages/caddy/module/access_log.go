package berthedge

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/DeRuina/timberjack"
	"go.uber.org/zap"
)

// Per-host access logs: one JSON line per request in
// <logs_dir>/<tenant>/<host>.log, rolled by size by timberjack (the roller
// Caddy's own file log writer uses). Lines are buffered and flushed every
// second; files are opened on first use and closed when idle. The set of
// open files is process-wide, like the table, so a config reload never has
// two writers on one file.

const (
	logFlushInterval = time.Second
	logIdleClose     = 30 * time.Second
	logBufferSize    = 32 << 10
)

var hostLogs = &accessLogs{files: map[logKey]*logFile{}}

type accessLogs struct {
	mu      sync.RWMutex
	files   map[logKey]*logFile
	flusher bool // the flush goroutine runs
}

type logKey struct{ tenant, host string }

type logFile struct {
	mu      sync.Mutex
	path    string
	out     *timberjack.Logger
	buf     *bufio.Writer
	lastUse time.Time
	closed  bool
}

// write appends one line to the host's log.
func (l *accessLogs) write(app *App, tenant, host string, line []byte, now time.Time) {
	key := logKey{tenant, host}
	for {
		l.mu.RLock()
		f := l.files[key]
		l.mu.RUnlock()
		if f == nil {
			f = l.open(app, key)
		}
		f.mu.Lock()
		if f.closed { // closed by the idle sweep meanwhile: open again
			f.mu.Unlock()
			continue
		}
		_, _ = f.buf.Write(line)
		f.lastUse = now
		f.mu.Unlock()
		return
	}
}

func (l *accessLogs) open(app *App, key logKey) *logFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.files[key]; f != nil {
		return f
	}
	dir := filepath.Join(app.LogsDir, key.tenant)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		app.logger.Error("creating access log directory", zap.String("dir", dir), zap.Error(err))
	}
	out := &timberjack.Logger{
		Filename:    filepath.Join(dir, key.host+".log"),
		MaxSize:     app.LogRollSizeMB,
		MaxBackups:  app.LogRollKeep,
		Compression: "gzip",
		FileMode:    0o640,
	}
	f := &logFile{path: out.Filename, out: out, buf: bufio.NewWriterSize(out, logBufferSize), lastUse: time.Now()}
	l.files[key] = f
	if !l.flusher {
		l.flusher = true
		go l.flushLoop(app.logger)
	}
	return f
}

// flushLoop flushes every file each second and closes idle ones; it ends
// when no file is open.
func (l *accessLogs) flushLoop(logger *zap.Logger) {
	ticker := time.NewTicker(logFlushInterval)
	defer ticker.Stop()
	for range ticker.C {
		now := time.Now()
		var idle []*logFile
		l.mu.Lock()
		all := make([]*logFile, 0, len(l.files))
		for k, f := range l.files {
			f.mu.Lock()
			if now.Sub(f.lastUse) > logIdleClose {
				delete(l.files, k)
				idle = append(idle, f)
			} else {
				all = append(all, f)
			}
			f.mu.Unlock()
		}
		stop := len(l.files) == 0
		if stop {
			l.flusher = false // open starts a new loop when needed
		}
		l.mu.Unlock()

		for _, f := range all {
			if err := f.flush(); err != nil {
				logger.Error("writing access log", zap.String("path", f.path), zap.Error(err))
				l.drop(f) // a bufio.Writer error is sticky: start over with a new file
			}
		}
		for _, f := range idle {
			if err := f.close(); err != nil {
				logger.Error("closing access log", zap.String("path", f.path), zap.Error(err))
			}
		}
		if stop {
			return
		}
	}
}

func (l *accessLogs) drop(f *logFile) {
	l.mu.Lock()
	for k, g := range l.files {
		if g == f {
			delete(l.files, k)
		}
	}
	l.mu.Unlock()
	_ = f.close()
}

func (f *logFile) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	return f.buf.Flush()
}

func (f *logFile) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	err := f.buf.Flush()
	if cerr := f.out.Close(); err == nil {
		err = cerr
	}
	return err
}

func (l *accessLogs) flushAll() {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, f := range l.files {
		_ = f.flush()
	}
}

func (l *accessLogs) closeAll() {
	l.mu.Lock()
	files := l.files
	l.files = map[logKey]*logFile{}
	l.flusher = false
	l.mu.Unlock()
	for _, f := range files {
		_ = f.close()
	}
}

// linePool holds buffers for formatting log lines.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// appendLogLine formats one access log line (JSON, newline-terminated)
// without reflection.
func appendLogLine(b []byte, r *http.Request, host string, start time.Time, status int, size int64, end time.Time) []byte {
	b = append(b, `{"ts":`...)
	b = strconv.AppendFloat(b, float64(start.UnixNano())/1e9, 'f', 6, 64)
	b = append(b, `,"request":{"host":`...)
	b = appendJSONString(b, host)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, r.Method)
	b = append(b, `,"uri":`...)
	b = appendJSONString(b, r.RequestURI)
	b = append(b, `,"remote_ip":`...)
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	b = appendJSONString(b, ip)
	b = append(b, `},"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, size, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendFloat(b, end.Sub(start).Seconds(), 'f', -1, 64)
	b = append(b, "}\n"...)
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
