package berthedge

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// recordVectors is testdata/records.json, shared with the TypeScript side.
type recordVectors struct {
	StaticBase string            `json:"static_base"`
	Valid      []json.RawMessage `json:"valid"`
	Invalid    []struct {
		Name   string          `json:"name"`
		Record json.RawMessage `json:"record"`
		Error  string          `json:"error"`
	} `json:"invalid"`
}

func loadVectors(t testing.TB) recordVectors {
	t.Helper()
	data, err := os.ReadFile("testdata/records.json")
	if err != nil {
		t.Fatal(err)
	}
	var v recordVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Invalid) < 25 {
		t.Fatalf("only %d invalid vectors", len(v.Invalid))
	}
	return v
}

func TestRecordVectors(t *testing.T) {
	v := loadVectors(t)
	for i, raw := range v.Valid {
		rec, err := decodeRecord(raw)
		if err == nil {
			err = validateRecord(rec, v.StaticBase)
		}
		if err != nil {
			t.Errorf("valid[%d] (%s): %v", i, rec.Host, err)
		}
	}
	for _, tc := range v.Invalid {
		t.Run(tc.Name, func(t *testing.T) {
			rec, err := decodeRecord(tc.Record)
			if err == nil {
				err = validateRecord(rec, v.StaticBase)
			}
			if err == nil {
				t.Fatalf("accepted; want error containing %q", tc.Error)
			}
			if !strings.Contains(err.Error(), tc.Error) {
				t.Fatalf("error %q does not contain %q", err, tc.Error)
			}
		})
	}
}

func TestDecodeRecordTrailingData(t *testing.T) {
	_, err := decodeRecord([]byte(`{"host":"a.test"} {"host":"b.test"}`))
	if err == nil || !strings.Contains(err.Error(), "after the record") {
		t.Fatalf("got %v", err)
	}
}

func TestCompiledRecordCustomCertificate(t *testing.T) {
	v := loadVectors(t)
	for _, raw := range v.Valid {
		rec, err := decodeRecord(raw)
		if err != nil {
			t.Fatal(err)
		}
		c, err := compileRecord(rec, v.StaticBase)
		if err != nil {
			t.Fatal(err)
		}
		if (c.cert != nil) != (rec.TLS.Mode == tlsCustom) {
			t.Errorf("%s: cert parsed = %v for mode %s", rec.Host, c.cert != nil, rec.TLS.Mode)
		}
		if c.cert != nil && c.cert.Leaf == nil {
			t.Errorf("%s: leaf not parsed", rec.Host)
		}
	}
}
