package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func leb(v uint32) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func section(id byte, contents ...[]byte) []byte {
	body := bytes.Join(contents, nil)
	return append(append([]byte{id}, leb(uint32(len(body)))...), body...)
}

func name(s string) []byte { return append(leb(uint32(len(s))), s...) }

// tiny is a module with two imported functions (one after a memory and a
// global import), three defined functions, a data section and a name
// section naming two of the three.
func tiny() []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, leb(1), []byte{0x60, 0, 0})...) // one type: () -> ()
	m = append(m, section(2, leb(4),
		name("go"), name("debug"), []byte{0}, leb(0),
		name("go"), name("mem"), []byte{2, 1}, leb(1), leb(300),
		name("go"), name("g"), []byte{3, 0x7f, 1},
		name("go"), name("exit"), []byte{0}, leb(0),
	)...)
	m = append(m, section(3, leb(3), leb(0), leb(0), leb(0))...)
	body := func(n int) []byte { // n bytes of body: no locals, nops, end
		b := append([]byte{0}, bytes.Repeat([]byte{1}, n-2)...)
		return append(leb(uint32(len(b)+1)), append(b, 0x0b)...)
	}
	m = append(m, section(10, leb(3), body(3), body(200), body(10))...)
	m = append(m, section(11, leb(1), []byte{0, 0x41, 0, 0x0b}, name("hello"))...)
	names := append(leb(2), append(append(leb(2), name("runtime.main")...), append(leb(4), name("github.com_hsmsim_hsmsim_engine_internal_kmu.init.0")...)...)...)
	m = append(m, section(0, name("name"), section(1, names), section(2, leb(0)))...)
	return m
}

func TestParseTiny(t *testing.T) {
	b := tiny()
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Imported != 2 {
		t.Errorf("imported functions = %d, want 2", m.Imported)
	}
	want := []Func{{2, "runtime.main", 4}, {3, "", 202}, {4, "github.com_hsmsim_hsmsim_engine_internal_kmu.init.0", 11}}
	if len(m.Funcs) != len(want) {
		t.Fatalf("funcs = %+v, want %+v", m.Funcs, want)
	}
	for i := range want {
		if m.Funcs[i] != want[i] {
			t.Errorf("func %d = %+v, want %+v", i, m.Funcs[i], want[i])
		}
	}
	if m.DataSegments != 1 {
		t.Errorf("data segments = %d, want 1", m.DataSegments)
	}
	var ids []byte
	for _, s := range m.Sections {
		ids = append(ids, s.ID)
	}
	if !bytes.Equal(ids, []byte{1, 2, 3, 10, 11, 0}) || m.Sections[5].Name != "name" {
		t.Errorf("sections = %+v", m.Sections)
	}
	// Without the name section, the module is the same up to it.
	stripped := Strip(b, m)
	last := m.Sections[5]
	if !bytes.Equal(stripped, b[:last.Offset-last.Header]) {
		t.Errorf("Strip kept %d bytes, want %d", len(stripped), last.Offset-last.Header)
	}

	r := breakdown(b, m, stripped, 0, 10)
	if r.Raw != len(stripped) || r.Code != 4+202+11 {
		t.Errorf("raw %d code %d", r.Raw, r.Code)
	}
	total := 0
	for _, g := range r.Groups {
		total += g.Raw
	}
	if total != len(stripped) {
		t.Errorf("the groups add up to %d bytes, the module has %d", total, len(stripped))
	}
	if len(r.Inits) != 1 || r.Inits[0].Group != "github.com_hsmsim_hsmsim_engine_internal_kmu.init.0" {
		t.Errorf("inits = %+v", r.Inits)
	}
}

func TestParseRejects(t *testing.T) {
	good := tiny()
	for name, b := range map[string][]byte{
		"empty":        nil,
		"not wasm":     []byte("\x7fELF\x01\x00\x00\x00"),
		"version 2":    []byte("\x00asm\x02\x00\x00\x00"),
		"cut":          good[:len(good)-3],
		"long size":    append([]byte("\x00asm\x01\x00\x00\x00"), 1, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"huge count":   append([]byte("\x00asm\x01\x00\x00\x00"), section(10, leb(1<<30))...),
		"bad import":   append([]byte("\x00asm\x01\x00\x00\x00"), section(2, leb(1), name("a"), name("b"), []byte{9})...),
		"body too big": append([]byte("\x00asm\x01\x00\x00\x00"), section(10, leb(1), leb(50), []byte{0, 0x0b})...),
	} {
		if _, err := Parse(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestPackageOf(t *testing.T) {
	for name, want := range map[string]string{
		"runtime.mallocgc": "runtime",
		"github.com_hsmsim_hsmsim_engine_internal_openssl.runPkeyutl": "github.com/hsmsim/hsmsim/engine/internal/openssl",
		"encoding_json.__decodeState_.literalStore":                   "encoding/json",
		"crypto_internal_fips140_nistec_fiat.p521Mul":                 "crypto/internal/fips140/nistec/fiat",
		"vendor_golang.org_x_crypto_cryptobyte.__String_.ReadASN1":    "vendor/golang.org/x/crypto/cryptobyte",
		"github.com_hack_pad_safejs.Value.Call":                       "github.com/hack/pad/safejs",
		"type_.eq.internal_abi.UncommonType":                          "internal/abi",
		"type_.eq._24_1_uint8":                                        "runtime",
		"slices.SortFunc_go.shape.struct_":                            "slices",
		"go_buildid":                                                  "runtime",
		"_rt0_wasm_js":                                                "runtime",
		"wasm_export_run":                                             "runtime",
		"main.main":                                                   "main",
	} {
		if got := packageOf(name); got != want {
			t.Errorf("packageOf(%q) = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]bool{
		"unicode.map.init.2": true,
		"net.init":           true,
		"github.com_hsmsim_hsmsim_engine_internal_cmu.init.4":               true,
		"github.com_hsmsim_hsmsim_engine_internal_cli.init.8.wrapKey.func1": false,
		"net.init.func6":      false,
		"runtime.initMetrics": false,
	} {
		if got := isInit(name); got != want {
			t.Errorf("isInit(%q) = %v", name, got)
		}
	}
	if g := groupOf("github.com/hsmsim/hsmsim/engine/internal/kmu"); g != "engine/internal/kmu" {
		t.Errorf("group of kmu = %q", g)
	}
	if g := groupOf("net/url"); g != "crypto/x509 + net" {
		t.Errorf("group of net/url = %q", g)
	}
}

func TestUpdateMarkdown(t *testing.T) {
	p := filepath.Join(t.TempDir(), "B.md")
	os.WriteFile(p, []byte("# B\n\n"+beginMarker+"\nold\n"+endMarker+"\nafter\n"), 0o644)
	r := Report{Raw: 2e6, Code: 1e6, Groups: []Row{{Group: "Go runtime", Funcs: 3, Raw: 1e6}}}
	if err := updateMarkdown(p, r, false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	want := "# B\n\n" + beginMarker + "\nengine.wasm: 2.00 MB raw; code 1.00 MB raw in 3 functions.\n\n| group | functions | raw |\n|---|---|---|\n| Go runtime | 3 | 1000.0 KB |\n" + endMarker + "\nafter\n"
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
	os.WriteFile(p, []byte("no markers"), 0o644)
	if err := updateMarkdown(p, r, false); err == nil || !strings.Contains(err.Error(), "markers") && !strings.Contains(err.Error(), "part") {
		t.Errorf("no markers: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(tiny())
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		s := Strip(b, m)
		if _, err := Parse(s); err != nil {
			t.Fatalf("the stripped module does not parse: %v", err)
		}
		breakdown(b, m, s, 0, 5)
	})
}
