package berthedge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// hosts is the process-wide host table. It lives outside any module
// instance so that it survives config reloads of the skeleton.
var hosts = newHostTable()

// hostTable is copy-on-write: readers (every request and handshake) load
// an immutable *tableState through an atomic pointer without locking;
// writers (the admin API, the snapshot loader) are serialized by mu, copy
// the map, modify the copy and publish it with a new generation.
type hostTable struct {
	state  atomic.Pointer[tableState]
	mu     sync.Mutex // serializes writers
	bootID string     // random per process; part of every ETag

	snapKick  chan struct{} // wakes the snapshot writer
	snapOnce  sync.Once
	snapMu    sync.Mutex // serializes snapshot writes
	snapSaved uint64     // generation last written, under snapMu
}

// tableState is one published version of the table; never modified.
type tableState struct {
	gen   uint64
	hosts map[string]*compiledRecord
}

var (
	errStale    = errors.New("If-Match does not match the current ETag")
	errNotFound = errors.New("no such host")
)

// snapshotInterval is the minimum time between two snapshot writes.
const snapshotInterval = 200 * time.Millisecond

func newHostTable() *hostTable {
	var b [8]byte
	_, _ = rand.Read(b[:])
	t := &hostTable{bootID: hex.EncodeToString(b[:]), snapKick: make(chan struct{}, 1)}
	t.state.Store(&tableState{hosts: map[string]*compiledRecord{}})
	return t
}

func (t *hostTable) lookup(host string) *compiledRecord {
	return t.state.Load().hosts[host]
}

func (t *hostTable) etag(gen uint64) string {
	return `"` + t.bootID + "-" + strconv.FormatUint(gen, 10) + `"`
}

// update runs edit on the current map under the writer lock and publishes
// the map it returns as the next generation. edit must not modify cur; it
// returns a new map or an error (nothing is published then). ifMatch, when
// not empty or "*", must equal the current ETag. After publishing, Caddy's
// certificates of hosts whose TLS changed are evicted (see cert_cache.go)
// and a snapshot write is scheduled.
func (t *hostTable) update(ifMatch string, edit func(cur map[string]*compiledRecord) (map[string]*compiledRecord, error)) (*tableState, error) {
	return t.updateWith(ifMatch, edit, true)
}

func (t *hostTable) updateWith(ifMatch string, edit func(cur map[string]*compiledRecord) (map[string]*compiledRecord, error), effects bool) (*tableState, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.state.Load()
	if ifMatch != "" && ifMatch != "*" && ifMatch != t.etag(cur.gen) {
		return cur, errStale
	}
	next, err := edit(cur.hosts)
	if err != nil {
		return cur, err
	}
	st := &tableState{gen: cur.gen + 1, hosts: next}
	t.state.Store(st)
	if effects {
		certificatesChanged(cur.hosts, next)
		t.scheduleSnapshot()
	}
	return st, nil
}

// put sets one host.
func (t *hostTable) put(ifMatch string, c *compiledRecord) (*tableState, error) {
	return t.update(ifMatch, func(cur map[string]*compiledRecord) (map[string]*compiledRecord, error) {
		next := maps.Clone(cur)
		next[c.rec.Host] = c
		return next, nil
	})
}

// remove deletes one host; errNotFound when absent.
func (t *hostTable) remove(ifMatch, host string) (*tableState, error) {
	return t.update(ifMatch, func(cur map[string]*compiledRecord) (map[string]*compiledRecord, error) {
		if cur[host] == nil {
			return nil, errNotFound
		}
		next := maps.Clone(cur)
		delete(next, host)
		return next, nil
	})
}

// sortedRecords returns the records of st ordered by host.
func (st *tableState) sortedRecords() []*compiledRecord {
	out := slices.Collect(maps.Values(st.hosts))
	slices.SortFunc(out, func(a, b *compiledRecord) int {
		switch {
		case a.rec.Host < b.rec.Host:
			return -1
		case a.rec.Host > b.rec.Host:
			return 1
		}
		return 0
	})
	return out
}

// snapshotFile is the on-disk form of the table. It holds private keys,
// hence mode 0600.
type snapshotFile struct {
	Version int               `json:"version"`
	Hosts   []json.RawMessage `json:"hosts"`
}

// scheduleSnapshot asks the background writer to save the table; bursts of
// changes are coalesced into at most one write per snapshotInterval.
func (t *hostTable) scheduleSnapshot() {
	t.snapOnce.Do(func() {
		go func() {
			for range t.snapKick {
				t.flushSnapshot()
				time.Sleep(snapshotInterval)
			}
		}()
	})
	select {
	case t.snapKick <- struct{}{}:
	default: // a write is already pending
	}
}

// flushSnapshot writes the table to the running app's snapshot path now if
// it changed since the last write. Without a running app it does nothing
// (the next app start or change writes it).
func (t *hostTable) flushSnapshot() {
	t.snapMu.Lock()
	defer t.snapMu.Unlock()
	app := runningApp()
	if app == nil {
		return
	}
	st := t.state.Load()
	if st.gen == t.snapSaved {
		return
	}
	if err := writeSnapshot(app.Snapshot, st); err != nil {
		app.logger.Error("writing host table snapshot", zap.String("path", app.Snapshot), zap.Error(err))
		return
	}
	t.snapSaved = st.gen
}

func writeSnapshot(path string, st *tableState) error {
	recs := st.sortedRecords()
	snap := snapshotFile{Version: 1, Hosts: make([]json.RawMessage, 0, len(recs))}
	for _, c := range recs {
		b, err := json.Marshal(c.rec)
		if err != nil {
			return err
		}
		snap.Hosts = append(snap.Hosts, b)
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// writeFileAtomic writes data to a temporary file in path's directory,
// fsyncs it and renames it over path, so readers see the old or the new
// content, never a mix. The file is mode 0600.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable
		_ = d.Close()
	}
	return nil
}

// readSnapshot reads a snapshot file; records that do not validate against
// staticBase are skipped and logged.
func readSnapshot(path, staticBase string, logger *zap.Logger) (map[string]*compiledRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var snap snapshotFile
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, fmt.Errorf("decoding snapshot: %v", err)
	}
	if snap.Version != 1 {
		return nil, fmt.Errorf("snapshot version %d is not supported", snap.Version)
	}
	out := make(map[string]*compiledRecord, len(snap.Hosts))
	for i, raw := range snap.Hosts {
		rec, err := decodeRecord(raw)
		var c *compiledRecord
		if err == nil {
			c, err = compileRecord(rec, staticBase)
		}
		if err == nil && out[rec.Host] != nil {
			err = errors.New("host: duplicate")
		}
		if err != nil {
			logger.Error("skipping invalid snapshot record", zap.Int("index", i), zap.String("host", rec.Host), zap.Error(err))
			continue
		}
		out[rec.Host] = c
	}
	return out, nil
}

// loadSnapshot fills the table from path if nothing was written to the
// table yet in this process (generation 0). A missing file is normal; a
// corrupt or unreadable one is logged and ignored.
func (t *hostTable) loadSnapshot(path, staticBase string, logger *zap.Logger) {
	if t.state.Load().gen != 0 {
		return
	}
	recs, err := readSnapshot(path, staticBase, logger)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		logger.Error("ignoring host table snapshot", zap.String("path", path), zap.Error(err))
		return
	}
	// no side effects: the certificate cache is empty at start and the
	// stored certificates match the modes of the snapshot
	st, err := t.updateWith("", func(cur map[string]*compiledRecord) (map[string]*compiledRecord, error) {
		if len(cur) != 0 {
			return nil, errors.New("table is not empty")
		}
		return recs, nil
	}, false)
	if err == nil {
		t.snapMu.Lock()
		t.snapSaved = st.gen // the file already holds this state
		t.snapMu.Unlock()
		logger.Info("loaded host table snapshot", zap.String("path", path), zap.Int("hosts", len(recs)))
	}
}
