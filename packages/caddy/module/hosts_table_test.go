package berthedge

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/zap"
)

func TestTableLookupAndGenerations(t *testing.T) {
	tbl := newHostTable()
	if got := tbl.etag(0); !strings.HasPrefix(got, `"`+tbl.bootID+"-") || got != `"`+tbl.bootID+`-0"` {
		t.Fatalf("etag %s", got)
	}
	if newHostTable().bootID == tbl.bootID {
		t.Fatal("boot ids repeat")
	}
	a := mustCompile(t, proxyRecord("a.test", "127.0.0.1:1"), "")
	st, err := tbl.put("", a)
	if err != nil || st.gen != 1 {
		t.Fatalf("put: %v gen %d", err, st.gen)
	}
	if tbl.lookup("a.test") != a || tbl.lookup("b.test") != nil {
		t.Fatal("lookup")
	}
	before := tbl.state.Load()

	// stale If-Match: nothing changes
	if _, err := tbl.put(tbl.etag(0), a); err != errStale {
		t.Fatalf("stale put: %v", err)
	}
	if _, err := tbl.remove(`"other-1"`, "a.test"); err != errStale {
		t.Fatalf("stale delete: %v", err)
	}
	// current If-Match and "*" pass
	if st, err = tbl.put(tbl.etag(1), mustCompile(t, proxyRecord("b.test", "127.0.0.1:2"), "")); err != nil || st.gen != 2 {
		t.Fatalf("put with If-Match: %v", err)
	}
	if _, err := tbl.remove("*", "nope.test"); err != errNotFound {
		t.Fatalf("delete absent: %v", err)
	}
	if st, err = tbl.remove("*", "b.test"); err != nil || st.gen != 3 || tbl.lookup("b.test") != nil {
		t.Fatalf("delete: %v", err)
	}
	// published states are never modified
	if len(before.hosts) != 1 || before.gen != 1 {
		t.Fatal("old state was modified")
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "tenants")
	path := filepath.Join(dir, "state", "hosts.json")
	v := loadVectors(t)

	tbl := newHostTable()
	for _, raw := range v.Valid {
		rec, err := decodeRecord(raw)
		if err != nil {
			t.Fatal(err)
		}
		rec.Host = strings.TrimSuffix(rec.Host, ".") // hosts differ already
		if rec.Static != nil {
			rec.Static.Root = base + strings.TrimPrefix(rec.Static.Root, v.StaticBase)
		}
		if _, err := tbl.put("", mustCompile(t, rec, base)); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeSnapshot(path, tbl.state.Load()); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("snapshot mode: %v %v", info, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "state", ".*tmp")); len(leftovers) != 0 {
		t.Fatalf("temp files left: %v", leftovers)
	}

	fresh := newHostTable()
	fresh.loadSnapshot(path, base, zap.NewNop())
	got, want := fresh.state.Load(), tbl.state.Load()
	if got.gen != 1 || len(got.hosts) != len(want.hosts) {
		t.Fatalf("loaded gen %d, %d hosts; want %d", got.gen, len(got.hosts), len(want.hosts))
	}
	for h, c := range want.hosts {
		if !reflect.DeepEqual(got.hosts[h].rec, c.rec) {
			t.Errorf("%s: %+v != %+v", h, got.hosts[h].rec, c.rec)
		}
	}

	// a second load does nothing: the table was written in this process
	fresh.loadSnapshot(filepath.Join(dir, "missing.json"), base, zap.NewNop())
	if fresh.state.Load() != got {
		t.Fatal("table reloaded")
	}

	// a record that no longer validates (static_base changed) is skipped
	other := newHostTable()
	other.loadSnapshot(path, filepath.Join(dir, "elsewhere"), zap.NewNop())
	if n := len(other.state.Load().hosts); n != len(want.hosts)-2 {
		t.Fatalf("loaded %d hosts with another static_base; want %d", n, len(want.hosts)-2)
	}
}

func TestSnapshotCorruptOrMissing(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage.json":   "{not json",
		"truncated.json": `{"version":1,"hosts":[{"host":"a.test"`,
		"version.json":   `{"version":2,"hosts":[]}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		tbl := newHostTable()
		tbl.loadSnapshot(path, dir, zap.NewNop())
		if st := tbl.state.Load(); st.gen != 0 || len(st.hosts) != 0 {
			t.Errorf("%s: loaded %d hosts", name, len(st.hosts))
		}
	}
	tbl := newHostTable()
	tbl.loadSnapshot(filepath.Join(dir, "absent.json"), dir, zap.NewNop())
	if tbl.state.Load().gen != 0 {
		t.Error("missing snapshot changed the table")
	}
}

func TestSnapshotWrittenAfterChanges(t *testing.T) {
	resetHosts(t)
	app := runTestApp(t)
	if _, err := hosts.put("", mustCompile(t, proxyRecord("a.test", "127.0.0.1:1"), "")); err != nil {
		t.Fatal(err)
	}
	if _, err := hosts.put("", mustCompile(t, proxyRecord("b.test", "127.0.0.1:1"), "")); err != nil {
		t.Fatal(err)
	}
	hosts.flushSnapshot()
	recs, err := readSnapshot(app.Snapshot, app.StaticBase, zap.NewNop())
	if err != nil || len(recs) != 2 {
		t.Fatalf("snapshot: %v, %d hosts", err, len(recs))
	}
}
